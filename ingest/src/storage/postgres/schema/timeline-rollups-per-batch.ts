/**
 * Mirrors timeline-002 (ingest/src/timeline/migrations.ts): the levels writer
 * (storage/postgres/levels-writer.ts) adds each batch's new records to the
 * rollups, a few set-based statements per batch, in the transaction that
 * stores them; the insert trigger of pg-timeline-001, four upserts per record,
 * goes. The delete trigger (the retention purge) stays.
 *
 * Issue 16, measured (bench/ingest-levels.ts, 50 messages of 10 records a
 * transaction, fsync on): the records with this trigger keeping the rollups
 * stored about half as many records a second (≈ 12,900) as the whole writer
 * does with the records, the rollups and the level blocks (≈ 25,000).
 */
import type { PgMigration } from './migration.ts';

export const timelineRollupsPerBatchPg: readonly PgMigration[] = [
  {
    name: 'pg-timeline-002-rollups-per-batch',
    sql: `
DROP TRIGGER levels_rollup_insert ON levels;
DROP FUNCTION earshot_levels_rollup_insert();`,
  },
];
