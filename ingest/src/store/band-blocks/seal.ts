/**
 * Sealing band blocks (codec.ts, build-block.ts): done by the level blocks'
 * sealer (store/level-blocks/seal-blocks.ts) in the transaction that seals
 * the hour's level block, so the two caches of an hour are made from the same
 * rows at the same moment, and by the same jobs (the service's background
 * passes, the export's own sealing of its case's hours).
 *
 * Which hours: those whose band records the ten-minute sums count
 * (`level_bands_10m`) and that have no block packing that many records —
 * never sealed, or dropped since by a late record or the retention purge.
 * An hour with a record the codec cannot pack gets a block of UNPACKABLE rows
 * and no data, so it is not looked at again until a record drops it; every
 * export reads that hour from its rows (read.ts).
 */
import type { Db } from '../../db/open.ts';
import { BAND_ROLLUP_MS } from '../level-bands-migrations.ts';
import { HOUR_MS } from '../level-blocks/migrations.ts';
import { createBandBlockBuilder } from './build-block.ts';
import { BAND_BLOCKS_TABLE } from './migrations.ts';

/** `rows` of an hour whose records the codec cannot pack (codec.ts packRecord): never trusted, never resealed. */
export const UNPACKABLE = -1;

export interface BandBlockSealer {
  /** Hours of `device` in [fromMs, toMs) whose band block is missing or stale, oldest first, at most `limit`. */
  pending(device: string, fromMs: number, toMs: number, limit: number): number[];
  /** Builds and stores (or drops) the hour's band block; call inside the transaction that seals its level block. Returns the records packed. */
  seal(device: string, hourMs: number, nowMs: number): number;
}

/** Hours of a device whose band block is missing or stale (named parameters device, from, to, limit; both stores' SQL). */
export const BAND_PENDING_SQL = `SELECT h.hour AS hour FROM (
    SELECT start - (start % ${HOUR_MS}) AS hour, sum(records) AS records FROM level_bands_10m
    WHERE device = :device AND start >= :from AND start < :to GROUP BY 1) h
  LEFT JOIN band_blocks b ON b.device = :device AND b.hour_ms = h.hour
  WHERE b.rows IS DISTINCT FROM h.records AND b.rows IS DISTINCT FROM ${UNPACKABLE} ORDER BY h.hour LIMIT :limit`;

/** Stores a band block (positional: device, hour_ms, rows, sealed_at, data). */
export const PUT_BAND_BLOCK_SQL = `INSERT INTO band_blocks (device, hour_ms, rows, sealed_at, data) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (device, hour_ms) DO UPDATE SET rows = excluded.rows, sealed_at = excluded.sealed_at, data = excluded.data`;

/** Whether `db` has the band blocks' table (and the band tables it derives from). */
export function hasBandBlocks(db: Db): boolean {
  return db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('${BAND_BLOCKS_TABLE}', 'level_bands', 'level_bands_10m')`).get()!.n === 3;
}

/** Null on a store without the band blocks' table. */
export function createBandBlockSealer(db: Db): BandBlockSealer | null {
  if (!hasBandBlocks(db)) return null;
  const build = createBandBlockBuilder(db);
  const pending = db.prepare<{ device: string; from: number; to: number; limit: number }, { hour: number }>(BAND_PENDING_SQL);
  const put = db.prepare<[string, number, number, number, Buffer]>(PUT_BAND_BLOCK_SQL);
  const drop = db.prepare<[string, number]>('DELETE FROM band_blocks WHERE device = ? AND hour_ms = ?');
  // The ten-minute blocks tile the hour (BAND_ROLLUP_MS divides HOUR_MS), so an hour's sum is of whole blocks.
  if (HOUR_MS % BAND_ROLLUP_MS !== 0) throw new RangeError('band rollups must tile the hour');
  return {
    pending: (device, fromMs, toMs, limit) => pending.all({ device, from: fromMs, to: toMs, limit }).map((r) => r.hour),
    seal(device, hourMs, nowMs) {
      const b = build(device, hourMs);
      if (b === null) {
        drop.run(device, hourMs);
        return 0;
      }
      if (b === 'rows') {
        put.run(device, hourMs, UNPACKABLE, nowMs, Buffer.alloc(0));
        return 0;
      }
      put.run(device, hourMs, b.rows, nowMs, b.data);
      return b.rows;
    },
  };
}

/** Two ascending lists of hours as one, without repeats, at most `limit` (a page of hours to seal). */
export function mergeHours(a: readonly number[], b: readonly number[], limit: number): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    const x = i < a.length ? a[i]! : Number.POSITIVE_INFINITY;
    const y = j < b.length ? b[j]! : Number.POSITIVE_INFINITY;
    const h = Math.min(x, y);
    if (x === h) i++;
    if (y === h) j++;
    out.push(h);
  }
  return out;
}
