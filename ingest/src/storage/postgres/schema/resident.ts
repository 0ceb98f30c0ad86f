/** Mirrors ingest/src/resident/migrations.ts. */
import { ID, type PgMigration } from './migration.ts';

export const residentPg: readonly PgMigration[] = [
  {
    name: 'pg-resident-001-links',
    sql: `
CREATE TABLE resident_links (
  ${ID},
  deployment_id bigint NOT NULL REFERENCES deployments (id),
  case_ref text NOT NULL REFERENCES cases (ref),
  token_sha256 text NOT NULL UNIQUE,
  issued_ms bigint NOT NULL,
  issued_by text NOT NULL,
  issue_leaf bigint NOT NULL,
  revoked_ms bigint,
  revoked_by text,
  revoked_reason text,
  revoke_leaf bigint,
  CHECK ((revoked_ms IS NULL) = (revoke_leaf IS NULL))
);
CREATE INDEX resident_links_by_deployment ON resident_links (deployment_id, revoked_ms);
CREATE TABLE resident_entries (
  link_id bigint NOT NULL REFERENCES resident_links (id),
  client_id text NOT NULL,
  diary_id bigint NOT NULL UNIQUE,
  PRIMARY KEY (link_id, client_id)
);`,
  },
];
