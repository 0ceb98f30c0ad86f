/**
 * The band blocks' table (codec.ts): one row per monitor and UTC hour, the
 * hour's 1/3-octave band records (store/level-bands.ts `level_bands`) packed,
 * derived from them and never the source of any figure they do not equally
 * hold — what data/bands.csv is read from (export/bands-csv.ts). `rows` is how
 * many records the block packs: the export trusts a block only when the
 * ten-minute sums (`level_bands_10m`) count as many for its hour (read.ts).
 *
 * Kept true to `level_bands` exactly as the level blocks are to `levels`
 * (store/level-blocks/migrations.ts), in the transaction that changes it: the
 * levels writer drops the band block of every hour it adds a record to
 * (store/level-blocks/invalidate.ts), and deleting a band record (the
 * retention purge, store/level-bands-retention.ts) drops its hour's block by
 * the trigger below. Sealed with the hour's level block, in the same
 * transaction, by the same sealer (store/level-blocks/seal-blocks.ts). A rowid
 * table: a block is ~250 kB, too large a row for WITHOUT ROWID
 * (https://www.sqlite.org/withoutrowid.html §4). Apply after level-bands-001.
 */
import type { Migration } from '../../db/migrate.ts';
import { HOUR_MS } from '../level-blocks/migrations.ts';

export const BAND_BLOCKS_TABLE = 'band_blocks';

export const bandBlocksMigrations: readonly Migration[] = [
  {
    name: 'store-band-blocks-001',
    sql: `
      CREATE TABLE band_blocks (
        device TEXT NOT NULL,
        hour_ms INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        sealed_at INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (device, hour_ms)
      ) STRICT;
      CREATE TRIGGER level_bands_blocks_delete AFTER DELETE ON level_bands BEGIN
        DELETE FROM band_blocks WHERE device = OLD.device AND hour_ms = OLD.t - (OLD.t % ${HOUR_MS});
      END;
    `,
  },
];
