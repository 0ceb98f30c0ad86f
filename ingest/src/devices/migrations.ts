/** The device registry's table (issue 4: device identity). */
import type { Migration } from '../db/migrate.ts';

export const devicesMigrations: readonly Migration[] = [
  {
    name: 'devices-001-registry',
    sql: `
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        -- scrypt(secret, salt, N, r, p): the parameters are kept per row so they can be raised later.
        secret_salt BLOB NOT NULL,
        secret_hash BLOB NOT NULL,
        scrypt_n INTEGER NOT NULL,
        scrypt_r INTEGER NOT NULL,
        scrypt_p INTEGER NOT NULL,
        -- The device's Ed25519 public key, SubjectPublicKeyInfo PEM, once pinned.
        public_key TEXT,
        key_pinned_at INTEGER,
        enabled INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        -- Bumped on every change, so a running broker sees changes made by another process (earshot device disable).
        changed_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX devices_changed ON devices (changed_at);
    `,
  },
];
