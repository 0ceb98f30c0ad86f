/** Mirrors ingest/src/service/migrations.ts (service-001 … service-003; 002 changes data only). */
import { ID, type PgMigration } from './migration.ts';

export const servicePg: readonly PgMigration[] = [
  {
    name: 'pg-service-001-device-configs',
    sql: `
CREATE TABLE device_configs (
  device text PRIMARY KEY,
  version bigint NOT NULL,
  config text NOT NULL,
  published_at bigint NOT NULL
);
CREATE TABLE monitor_outages (
  ${ID},
  deployment_id bigint NOT NULL,
  device text NOT NULL,
  case_ref text NOT NULL,
  last_heard_ms bigint,
  offline_since_ms bigint NOT NULL,
  alerted_ms bigint NOT NULL,
  closed_ms bigint,
  heard_ms bigint,
  closed_by text CHECK (closed_by IN ('back-online', 'deployment-ended'))
);
CREATE UNIQUE INDEX monitor_outages_open ON monitor_outages (deployment_id) WHERE closed_ms IS NULL;`,
  },
];
