/**
 * Every PostgreSQL migration, in order (the order of ingest/src/service/migrations.ts,
 * so references resolve). The schema version is the number of migrations applied.
 * When a SQLite migration is added to an area, its mirror is added at the end of
 * this list; ingest/test/storage/postgres-schema.test.ts fails until it is.
 */
import { casesPg } from './cases.ts';
import { clipFilesPg } from './clip-files.ts';
import { devicesPg } from './devices.ts';
import { devicesNotifyPg } from './devices-notify.ts';
import { evidencePg } from './evidence.ts';
import { exportJobsPg } from './export-jobs.ts';
import { levelBandsPg } from './level-bands.ts';
import { bandBlocksPg } from './band-blocks.ts';
import { levelBlocksPg } from './level-blocks.ts';
import type { PgMigration } from './migration.ts';
import { receiptsPg } from './receipts.ts';
import { residentPg } from './resident.ts';
import { rolesPg } from './roles.ts';
import { servicePg } from './service.ts';
import { storePg } from './store.ts';
import { timelinePg } from './timeline.ts';
import { timelineRollupsPerBatchPg } from './timeline-rollups-per-batch.ts';
import { usersPg } from './users.ts';

export type { PgMigration } from './migration.ts';

export const PG_MIGRATIONS: readonly PgMigration[] = [
  ...devicesPg,
  ...storePg,
  ...evidencePg,
  ...casesPg,
  ...residentPg,
  ...timelinePg,
  ...usersPg,
  ...servicePg,
  ...clipFilesPg,
  ...rolesPg,
  ...receiptsPg,
  ...levelBandsPg,
  ...levelBlocksPg,
  ...timelineRollupsPerBatchPg,
  ...bandBlocksPg,
  ...devicesNotifyPg,
  ...exportJobsPg,
];
