/** Mirrors ingest/src/users/migrations.ts (users-001, users-002). */
import { ID, type PgMigration } from './migration.ts';

export const usersPg: readonly PgMigration[] = [
  {
    name: 'pg-users-001-accounts',
    sql: `
CREATE TABLE users (
  username text PRIMARY KEY,
  display_name text NOT NULL,
  initials text NOT NULL,
  role text NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
  password_salt bytea NOT NULL,
  password_hash bytea NOT NULL,
  scrypt_n bigint NOT NULL,
  scrypt_r bigint NOT NULL,
  scrypt_p bigint NOT NULL,
  enabled bigint NOT NULL DEFAULT 1,
  created_at bigint NOT NULL
);
CREATE TABLE user_tokens (
  token_sha256 bytea PRIMARY KEY,
  username text NOT NULL REFERENCES users (username),
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  revoked_at bigint,
  session_id text
);
CREATE INDEX user_tokens_by_user ON user_tokens (username);
CREATE UNIQUE INDEX user_tokens_by_session ON user_tokens (session_id);
CREATE TABLE login_failures (
  username text PRIMARY KEY,
  failures bigint NOT NULL,
  window_start bigint NOT NULL,
  locked_until bigint
);
CREATE TABLE access_log (
  ${ID},
  at bigint NOT NULL,
  username text NOT NULL,
  action text NOT NULL,
  case_ref text,
  target text NOT NULL,
  leaf_index bigint NOT NULL
);
CREATE INDEX access_log_by_case ON access_log (case_ref, at);`,
  },
];
