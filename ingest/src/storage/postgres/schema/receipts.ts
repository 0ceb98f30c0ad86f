/** Mirrors ingest/src/receipts/migrations.ts. */
import type { PgMigration } from './migration.ts';

export const receiptsPg: readonly PgMigration[] = [
  {
    name: 'pg-receipts-001-marks',
    sql: `
CREATE TABLE receipt_marks (
  device text PRIMARY KEY,
  stored bigint NOT NULL,
  at bigint NOT NULL
);`,
  },
];
