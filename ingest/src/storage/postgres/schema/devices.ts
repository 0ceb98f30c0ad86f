/** Mirrors ingest/src/devices/migrations.ts. */
import type { PgMigration } from './migration.ts';

export const devicesPg: readonly PgMigration[] = [
  {
    name: 'pg-devices-001-registry',
    sql: `
CREATE TABLE devices (
  id text PRIMARY KEY,
  secret_salt bytea NOT NULL,
  secret_hash bytea NOT NULL,
  scrypt_n bigint NOT NULL,
  scrypt_r bigint NOT NULL,
  scrypt_p bigint NOT NULL,
  public_key text,
  key_pinned_at bigint,
  enabled bigint NOT NULL DEFAULT 1,
  created_at bigint NOT NULL,
  changed_at bigint NOT NULL
);
CREATE INDEX devices_changed ON devices (changed_at);`,
  },
];
