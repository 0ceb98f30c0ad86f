/**
 * Mirrors ingest/src/store/band-blocks/migrations.ts: the band blocks, one per
 * monitor and UTC hour, derived from `level_bands` (what data/bands.csv reads).
 * As in SQLite, deleting a band record drops its hour's block by a trigger
 * (the retention purge), and whatever writes level records drops the band
 * blocks of the hours it adds to in its own transaction (SQLite's levels
 * writer does, store/level-blocks/invalidate.ts). `earshot store copy` copies
 * the blocks as they are, with the band records they derive from.
 */
import { HOUR_MS } from '../../../store/level-blocks/migrations.ts';
import type { PgMigration } from './migration.ts';

export const bandBlocksPg: readonly PgMigration[] = [
  {
    name: 'pg-band-blocks-001',
    sql: `
CREATE TABLE band_blocks (
  device text NOT NULL,
  hour_ms bigint NOT NULL,
  rows bigint NOT NULL,
  sealed_at bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (device, hour_ms)
);
CREATE FUNCTION earshot_level_bands_blocks_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM band_blocks WHERE device = OLD.device AND hour_ms = OLD.t - (OLD.t % ${HOUR_MS});
  RETURN NULL;
END $$;
CREATE TRIGGER level_bands_blocks_delete AFTER DELETE ON level_bands FOR EACH ROW EXECUTE FUNCTION earshot_level_bands_blocks_delete();`,
  },
];
