/**
 * Mirrors ingest/src/store/level-bands-migrations.ts: the 1/3-octave bands of
 * the level records and their ten-minute sums (issue 16). The sums are written
 * by the levels writer in SQLite (store/level-bands.ts) and copied as they are
 * by `earshot store copy`; no trigger keeps them here.
 */
import type { PgMigration } from './migration.ts';

export const levelBandsPg: readonly PgMigration[] = [
  {
    name: 'pg-level-bands-001-tables',
    sql: `
CREATE TABLE level_bands (
  t bigint NOT NULL,
  device text NOT NULL,
  d double precision NOT NULL,
  f0 text NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (t, device)
);
CREATE TABLE level_bands_10m (
  device text NOT NULL,
  start bigint NOT NULL,
  records bigint NOT NULL,
  energy bytea NOT NULL,
  seconds bytea NOT NULL,
  PRIMARY KEY (device, start)
);`,
  },
];
