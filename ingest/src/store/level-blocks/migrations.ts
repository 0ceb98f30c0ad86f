/**
 * The level blocks' table (codec.ts; docs/storage.md "Level blocks"): one row
 * per monitor and UTC hour, derived from the levels table and never the
 * source of any figure it does not equally hold. `rows` is how many records the
 * block packs: the export checks it against the minute rollups' count for the
 * hour before trusting the block (read-blocks.ts).
 *
 * Kept true to the levels table in the transaction that changes it: the levels
 * writer (store/levels.ts) drops the block of every hour it adds a record to,
 * and deleting a level record (the retention purge) drops its hour's block by
 * the trigger below, as timeline-001's delete trigger keeps the rollups exact.
 * A rowid table: a block is 50–250 kB, too large a row for WITHOUT ROWID
 * (https://www.sqlite.org/withoutrowid.html §4).
 */
import type { Migration } from '../../db/migrate.ts';

/** A block's hour: times are ms since 1970 (never negative), so this is the UTC hour a record starts in. */
export const HOUR_MS = 3_600_000;

export const levelBlocksMigrations: readonly Migration[] = [
  {
    name: 'store-level-blocks-001',
    sql: `
      CREATE TABLE level_blocks (
        device TEXT NOT NULL,
        hour_ms INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        first_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        full_scale_db REAL,
        sealed_at INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (device, hour_ms)
      ) STRICT;
      CREATE TRIGGER levels_blocks_delete AFTER DELETE ON levels BEGIN
        DELETE FROM level_blocks WHERE device = OLD.device AND hour_ms = OLD.t - (OLD.t % ${HOUR_MS});
      END;
    `,
  },
];
