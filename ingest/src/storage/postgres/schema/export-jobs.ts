/**
 * The web view's bundle export jobs on PostgreSQL (http/jobs.ts): their progress
 * and outcome, and each finished ZIP in parts of 1 MiB, so every instance of a
 * fleet answers the progress and serves the download, whichever ran the export.
 * PostgreSQL only: beside the embedded store the one process keeps its jobs in
 * memory and the ZIP in the data folder. A job's rows go after the retention
 * policy's bundleDays (storage/postgres/export-jobs.ts), as the ZIPs in the data
 * folder do.
 */
import type { PgMigration } from './migration.ts';

export const exportJobsPg: readonly PgMigration[] = [
  {
    name: 'pg-export-jobs-001',
    sql: `
CREATE TABLE export_jobs (
  id text PRIMARY KEY,
  case_ref text NOT NULL,
  username text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  progress double precision NOT NULL,
  stage text,
  file text,
  error_code text,
  error_message text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX export_jobs_by_age ON export_jobs (created_at);
CREATE TABLE export_job_files (
  job_id text NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
  part bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (job_id, part)
);`,
  },
];
