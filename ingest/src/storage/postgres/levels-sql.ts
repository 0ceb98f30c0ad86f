/**
 * The PostgreSQL levels writer's statements (levels-writer.ts), each run as a
 * named prepared statement with one array parameter per column
 * (`unnest($1::bigint[], …)`): a batch of any size is two statements (a
 * third only when another writer made a band block in between), each parsed
 * and planned once per connection.
 *
 * Rows are looked up by key (LATERAL … WHERE key = …, ON CONFLICT on the
 * primary key), never by a join the planner could turn into a scan of a
 * growing table; keys are passed sorted, so row locks are taken in one order
 * by every writer (two writers adding to the same rows wait, not deadlock).
 */
import { ROLLUP_TIERS } from '../../timeline/migrations.ts';

const BUCKET_COLUMNS = 'device, start, seconds, energy, records, silent, lafmax, lafmin';
const BUCKET_TYPES = ['text', 'bigint', 'float8', 'float8', 'bigint', 'bigint', 'float8', 'float8'];
const BIN_COLUMNS = 'device, start, bin, seconds';
const BIN_TYPES = ['text', 'bigint', 'bigint', 'float8'];
const BAND_BLOCK_COLUMNS = 'device, start, records, energy, seconds';
const BAND_BLOCK_TYPES = ['text', 'bigint', 'bigint', 'bytea', 'bytea'];
const LEVEL_TYPES = ['bigint', 'text', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'bigint', 'bigint', 'bigint', 'float8', 'bigint'];

/** `unnest($n::type[], …)` for consecutive parameters from `first`. */
function unnest(first: number, types: readonly string[]): string {
  return `unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`;
}

/** What a row of STORE_LEVELS is (its first column). */
export const ROW = { counts: -3, level: -2, band: -1 } as const;
/** Tier i's buckets are rows of kind i, its bins TIERS + i, the band blocks 2·TIERS. */
export const TIERS = ROLLUP_TIERS.length;

/**
 * 1. Every record (ON CONFLICT DO NOTHING: a record already stored is kept as it was); 2. the bands of those stored,
 * from the batch's first record of each (t, device) carrying them; 3. the rollup rows and band blocks the batch may
 * add to, locked and read. Returns how many records and band rows were stored (kind ROW.counts: start, bin), their
 * (t, device) only when not all were, and every locked row. Parameters: the 15 columns of `levels`; the bands' t,
 * device, d, f0, data; the number of records and of band rows; per tier the bucket keys (device, start); per tier
 * the bin keys (device, start, bin); the band blocks' keys (device, start).
 */
export function storeLevelsSql(): string {
  const parts: string[] = [];
  const selects: string[] = [];
  parts.push(`ins AS (INSERT INTO levels (t, device, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak, clipped, silent, n, full_scale_db, seq)
      SELECT * FROM ${unnest(1, LEVEL_TYPES)} ON CONFLICT DO NOTHING RETURNING t, device)`);
  parts.push(`bnd AS (INSERT INTO level_bands (t, device, d, f0, data)
      SELECT b.t, b.device, b.d, b.f0, b.data FROM ${unnest(16, ['bigint', 'text', 'float8', 'text', 'bytea'])} AS b(t, device, d, f0, data)
      JOIN ins ON ins.t = b.t AND ins.device = b.device
      ON CONFLICT DO NOTHING RETURNING t, device)`);
  selects.push(`SELECT ${ROW.counts}::int AS w, NULL::text AS device, (SELECT count(*) FROM ins) AS start, (SELECT count(*) FROM bnd) AS bin,
      NULL::float8 AS seconds, NULL::float8 AS energy, NULL::bigint AS records, NULL::bigint AS silent, NULL::float8 AS lafmax, NULL::float8 AS lafmin,
      NULL::bytea AS benergy, NULL::bytea AS bseconds`);
  selects.push(`SELECT ${ROW.level}, device, t, NULL::bigint AS bin, NULL::float8 AS seconds, NULL::float8 AS energy, NULL::bigint AS records,
      NULL::bigint AS silent, NULL::float8 AS lafmax, NULL::float8 AS lafmin, NULL::bytea AS benergy, NULL::bytea AS bseconds FROM ins WHERE (SELECT count(*) FROM ins) < $21::int`);
  selects.push(`SELECT ${ROW.band}, device, t, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM bnd WHERE (SELECT count(*) FROM bnd) < $22::int`);
  let p = 23;
  ROLLUP_TIERS.forEach((r, i) => {
    parts.push(`b${i} AS (SELECT x.* FROM ${unnest(p, ['text', 'bigint'])} AS k(device, start)
      CROSS JOIN LATERAL (SELECT ${BUCKET_COLUMNS} FROM ${r.table} WHERE device = k.device AND start = k.start FOR UPDATE) x)`);
    selects.push(`SELECT ${i}, device, start, NULL, seconds, energy, records, silent, lafmax, lafmin, NULL, NULL FROM b${i}`);
    p += 2;
  });
  ROLLUP_TIERS.forEach((r, i) => {
    parts.push(`h${i} AS (SELECT x.* FROM ${unnest(p, ['text', 'bigint', 'bigint'])} AS k(device, start, bin)
      CROSS JOIN LATERAL (SELECT ${BIN_COLUMNS} FROM ${r.table}_hist WHERE device = k.device AND start = k.start AND bin = k.bin FOR UPDATE) x)`);
    selects.push(`SELECT ${TIERS + i}, device, start, bin, seconds, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM h${i}`);
    p += 3;
  });
  parts.push(`bb AS (SELECT x.* FROM ${unnest(p, ['text', 'bigint'])} AS k(device, start)
      CROSS JOIN LATERAL (SELECT ${BAND_BLOCK_COLUMNS} FROM level_bands_10m WHERE device = k.device AND start = k.start FOR UPDATE) x)`);
  selects.push(`SELECT ${2 * TIERS}, device, start, NULL, NULL, NULL, records, NULL, NULL, NULL, energy, seconds FROM bb`);
  return `WITH ${parts.join(',\n')}\n${selects.join('\nUNION ALL ')}`;
}

/** The band blocks' keys (device, start), locked and read: after another writer made some of them (levels-writer.ts). */
export const LOCK_BAND_BLOCKS = `SELECT x.* FROM unnest($1::text[], $2::bigint[]) AS k(device, start)
  CROSS JOIN LATERAL (SELECT ${BAND_BLOCK_COLUMNS} FROM level_bands_10m WHERE device = k.device AND start = k.start FOR UPDATE) x`;

/** Band blocks set to the sums given (locked rows). */
export const PUT_BAND_BLOCKS = `INSERT INTO level_bands_10m AS r (${BAND_BLOCK_COLUMNS}) SELECT * FROM ${unnest(1, BAND_BLOCK_TYPES)}
  ON CONFLICT (device, start) DO UPDATE SET records = excluded.records, energy = excluded.energy, seconds = excluded.seconds`;

/**
 * Writes the rollups and band sums and drops the level blocks (and band blocks, `bandBlocks`: a store with the
 * `band_blocks` table). Parameters, per tier: the buckets not stored when
 * locked (8 columns), then those stored (8); per tier the bins, new (4) then stored (4); the band blocks, new (5)
 * then stored (5); the hours whose level blocks go (device, hour_ms). A row stored when locked is set to the sums
 * computed from it. A bucket or bin not stored then is inserted and — should another writer have inserted it since —
 * added to, as every SQLite upsert adds; a new band block is inserted only if still absent, and the keys of those
 * inserted are returned (the writer adds to another writer's sums of the others: levels-writer.ts).
 */
export function writeRollupsSql(bandBlocks: boolean): string {
  const parts: string[] = [];
  let p = 1;
  ROLLUP_TIERS.forEach((r, i) => {
    parts.push(`n${i} AS (INSERT INTO ${r.table} AS r (${BUCKET_COLUMNS}) SELECT * FROM ${unnest(p, BUCKET_TYPES)}
      ON CONFLICT (device, start) DO UPDATE SET seconds = r.seconds + excluded.seconds, energy = r.energy + excluded.energy,
        records = r.records + excluded.records, silent = r.silent + excluded.silent,
        lafmax = greatest(r.lafmax, excluded.lafmax), lafmin = least(r.lafmin, excluded.lafmin))`);
    p += 8;
    parts.push(`x${i} AS (INSERT INTO ${r.table} AS r (${BUCKET_COLUMNS}) SELECT * FROM ${unnest(p, BUCKET_TYPES)}
      ON CONFLICT (device, start) DO UPDATE SET seconds = excluded.seconds, energy = excluded.energy, records = excluded.records,
        silent = excluded.silent, lafmax = excluded.lafmax, lafmin = excluded.lafmin)`);
    p += 8;
  });
  ROLLUP_TIERS.forEach((r, i) => {
    parts.push(`nh${i} AS (INSERT INTO ${r.table}_hist AS r (${BIN_COLUMNS}) SELECT * FROM ${unnest(p, BIN_TYPES)}
      ON CONFLICT (device, start, bin) DO UPDATE SET seconds = r.seconds + excluded.seconds)`);
    p += 4;
    parts.push(`xh${i} AS (INSERT INTO ${r.table}_hist AS r (${BIN_COLUMNS}) SELECT * FROM ${unnest(p, BIN_TYPES)}
      ON CONFLICT (device, start, bin) DO UPDATE SET seconds = excluded.seconds)`);
    p += 4;
  });
  parts.push(`nb AS (INSERT INTO level_bands_10m (${BAND_BLOCK_COLUMNS}) SELECT * FROM ${unnest(p, BAND_BLOCK_TYPES)}
      ON CONFLICT (device, start) DO NOTHING RETURNING device, start)`);
  p += 5;
  parts.push(`xb AS (INSERT INTO level_bands_10m AS r (${BAND_BLOCK_COLUMNS}) SELECT * FROM ${unnest(p, BAND_BLOCK_TYPES)}
      ON CONFLICT (device, start) DO UPDATE SET records = excluded.records, energy = excluded.energy, seconds = excluded.seconds)`);
  p += 5;
  parts.push(`lb AS (DELETE FROM level_blocks b USING ${unnest(p, ['text', 'bigint'])} AS h(device, hour_ms)
      WHERE b.device = h.device AND b.hour_ms = h.hour_ms)`);
  // The hour's band block goes with its level block (store/level-blocks/invalidate.ts), where the store has them.
  if (bandBlocks) {
    parts.push(`bk AS (DELETE FROM band_blocks b USING ${unnest(p, ['text', 'bigint'])} AS h(device, hour_ms)
      WHERE b.device = h.device AND b.hour_ms = h.hour_ms)`);
  }
  return `WITH ${parts.join(',\n')}\nSELECT device, start FROM nb`;
}
