/** Officer accounts, their bearer tokens, failed-login counters and the access log (issue 5). */
import type { Migration } from '../db/migrate.ts';

export const usersMigrations: readonly Migration[] = [
  {
    name: 'users-001-accounts',
    sql: `
      CREATE TABLE users (
        username TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        initials TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
        -- scrypt(password, salt, N, r, p): the parameters are kept per row so they can be raised later.
        password_salt BLOB NOT NULL,
        password_hash BLOB NOT NULL,
        scrypt_n INTEGER NOT NULL,
        scrypt_r INTEGER NOT NULL,
        scrypt_p INTEGER NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Only the SHA-256 of each token is kept: a copy of the database logs nobody in.
      CREATE TABLE user_tokens (
        token_sha256 BLOB PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users (username),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX user_tokens_by_user ON user_tokens (username);

      CREATE TABLE login_failures (
        username TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        window_start INTEGER NOT NULL,
        locked_until INTEGER
      ) STRICT;

      -- Every read of evidence and every export: who, what, when; each row is also a leaf.
      CREATE TABLE access_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        username TEXT NOT NULL,
        action TEXT NOT NULL,
        case_ref TEXT,
        target TEXT NOT NULL,
        leaf_index INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX access_log_by_case ON access_log (case_ref, at);
    `,
  },
  {
    // Issue 11: signed links name the session they were made in, so they die at its logout.
    // A random handle, not the token or its hash: knowing it opens nothing by itself.
    name: 'users-002-session-id',
    sql: `
      ALTER TABLE user_tokens ADD COLUMN session_id TEXT;
      UPDATE user_tokens SET session_id = lower(hex(randomblob(16)));
      CREATE UNIQUE INDEX user_tokens_by_session ON user_tokens (session_id);
    `,
  },
];
