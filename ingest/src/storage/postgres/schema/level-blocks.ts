/**
 * Mirrors ingest/src/store/level-blocks/migrations.ts: the level blocks, one
 * per monitor and UTC hour, derived from `levels` (docs/storage.md "Level
 * blocks"). As in SQLite, deleting a level record drops its hour's block by a
 * trigger (the retention purge), and whatever writes level records drops the
 * blocks of the hours it adds to in its own transaction (SQLite's levels writer
 * does). `earshot store copy` copies the blocks as they are: made from the same
 * snapshot as the levels copied with them, they are as true there as here.
 */
import { HOUR_MS } from '../../../store/level-blocks/migrations.ts';
import type { PgMigration } from './migration.ts';

export const levelBlocksPg: readonly PgMigration[] = [
  {
    name: 'pg-level-blocks-001',
    sql: `
CREATE TABLE level_blocks (
  device text NOT NULL,
  hour_ms bigint NOT NULL,
  rows bigint NOT NULL,
  first_ms bigint NOT NULL,
  end_ms bigint NOT NULL,
  full_scale_db double precision,
  sealed_at bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (device, hour_ms)
);
CREATE FUNCTION earshot_levels_blocks_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM level_blocks WHERE device = OLD.device AND hour_ms = OLD.t - (OLD.t % ${HOUR_MS});
  RETURN NULL;
END $$;
CREATE TRIGGER levels_blocks_delete AFTER DELETE ON levels FOR EACH ROW EXECUTE FUNCTION earshot_levels_blocks_delete();`,
  },
];
