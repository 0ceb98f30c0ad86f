/** Every area's schema, in the order the service applies them (db/migrate.ts). */
import { casesMigrations } from '../cases/index.ts';
import type { Migration } from '../db/migrate.ts';
import { devicesMigrations } from '../devices/migrations.ts';
import { evidenceMigrations } from '../evidence/index.ts';
import { receiptsMigrations } from '../receipts/migrations.ts';
import { residentMigrations } from '../resident/migrations.ts';
import { storeMigrations } from '../store/migrations.ts';
import { levelBandsMigrations } from '../store/level-bands-migrations.ts';
import { bandBlocksMigrations } from '../store/band-blocks/migrations.ts';
import { levelBlocksMigrations } from '../store/level-blocks/migrations.ts';
import { timelineMigrations } from '../timeline/index.ts';
import { usersMigrations } from '../users/index.ts';

/** The retained config last published to each device, with its version. */
const serviceMigrations: readonly Migration[] = [
  {
    name: 'service-001-device-configs',
    sql: `CREATE TABLE device_configs (
      device TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      config TEXT NOT NULL,
      published_at INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    // Issue 11 item 8 / issue 12: a case is assigned to an account (its username), never to a
    // display name (not unique). Cases recorded with a display name that names exactly one
    // account move to that account; others stay as they were, visible to supervisors only,
    // to be reassigned from the web view.
    name: 'service-002-case-officer-accounts',
    sql: `UPDATE cases SET officer = (SELECT u.username FROM users u WHERE u.display_name = cases.officer)
      WHERE officer NOT IN (SELECT username FROM users)
        AND (SELECT count(*) FROM users u WHERE u.display_name = cases.officer) = 1;`,
  },
  {
    // Issue 12: a deployed monitor's outage alerted (alerts/offline-watch.ts): one row per outage, so
    // each is alerted once, across restarts; closed when heard again (back-online) or the deployment ends.
    name: 'service-003-monitor-outages',
    sql: `CREATE TABLE monitor_outages (
      id INTEGER PRIMARY KEY,
      deployment_id INTEGER NOT NULL,
      device TEXT NOT NULL,
      case_ref TEXT NOT NULL,
      last_heard_ms INTEGER,
      offline_since_ms INTEGER NOT NULL,
      alerted_ms INTEGER NOT NULL,
      closed_ms INTEGER,
      heard_ms INTEGER,
      closed_by TEXT CHECK (closed_by IN ('back-online', 'deployment-ended'))
    ) STRICT;
    CREATE UNIQUE INDEX monitor_outages_open ON monitor_outages (deployment_id) WHERE closed_ms IS NULL;`,
  },
];

export const ALL_MIGRATIONS: readonly Migration[] = [
  ...devicesMigrations,
  ...storeMigrations,
  ...evidenceMigrations,
  ...casesMigrations,
  ...residentMigrations,
  ...timelineMigrations,
  ...usersMigrations,
  ...serviceMigrations,
  ...receiptsMigrations,
  ...levelBandsMigrations,
  ...levelBlocksMigrations,
  ...bandBlocksMigrations,
];
