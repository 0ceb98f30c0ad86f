/**
 * Tables of the resident's diary link (issue 13, DESIGN §6b). A link is kept
 * only as the SHA-256 of its token (the token itself is shown once, on the
 * command line and the install sheet); issuing a new one for a deployment
 * revokes the old. Each entry that came through a link is remembered by the
 * phone's own id for it, so an entry the phone sends twice (queued offline,
 * the answer lost) is stored once.
 */
import type { Migration } from '../db/migrate.ts';

export const residentMigrations: readonly Migration[] = [
  {
    name: 'resident-001-links',
    sql: `
CREATE TABLE resident_links (
  id INTEGER PRIMARY KEY,
  deployment_id INTEGER NOT NULL REFERENCES deployments (id),
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  token_sha256 TEXT NOT NULL UNIQUE,
  issued_ms INTEGER NOT NULL,
  issued_by TEXT NOT NULL,
  issue_leaf INTEGER NOT NULL,
  revoked_ms INTEGER,
  revoked_by TEXT,
  revoked_reason TEXT,
  revoke_leaf INTEGER,
  CHECK ((revoked_ms IS NULL) = (revoke_leaf IS NULL))
) STRICT;
CREATE INDEX resident_links_by_deployment ON resident_links (deployment_id, revoked_ms);
CREATE TABLE resident_entries (
  link_id INTEGER NOT NULL REFERENCES resident_links (id),
  client_id TEXT NOT NULL,
  diary_id INTEGER NOT NULL UNIQUE,
  PRIMARY KEY (link_id, client_id)
) STRICT;`,
  },
];
