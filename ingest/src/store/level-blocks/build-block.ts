/**
 * A level block from the levels table (codec.ts): one hour of one monitor's
 * records read in time order, in one hour-sized read of raw arrays, packed
 * column by column. The read is the whole cost (≈ 3.4 µs a row handed over by
 * better-sqlite3), paid once per hour when the block is sealed instead of at
 * every export.
 */
import type { Db } from '../../db/open.ts';
import { COLUMNS, encodeBlock } from './codec.ts';
import { HOUR_MS } from './migrations.ts';

/** A record as LEVEL_ROWS_SQL reads it: its offset in the hour, d, the block's other columns, full_scale_db. */
export type LevelRow = readonly [number, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number];

/** An hour's records in time order (named parameters: hour, end, device), in the SQL both stores share. */
export const LEVEL_ROWS_SQL = `SELECT t - :hour, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak, full_scale_db
  FROM levels WHERE t >= :hour AND t < :end AND device = :device ORDER BY t`;

export interface BuiltBlock {
  readonly rows: number;
  /** The first record's time; the end of the last, its t + CAST(d * 1000 AS INTEGER) as SQLite truncates it. */
  readonly firstMs: number;
  readonly endMs: number;
  /** The fullScaleDb every record states, null when they differ. */
  readonly fullScaleDb: number | null;
  readonly data: Buffer;
}

/** Builds the block of a device's hour from `db` (any connection, a read-only snapshot too); null when the hour holds no record. */
export function createBlockBuilder(db: Db): (device: string, hourMs: number) => BuiltBlock | null {
  const read = db.prepare<{ hour: number; end: number; device: string }, LevelRow>(LEVEL_ROWS_SQL).raw(true);
  return (device, hourMs) => {
    if (hourMs % HOUR_MS !== 0) throw new RangeError(`${hourMs} is not the start of a UTC hour`);
    return packLevelHour(hourMs, read.all({ hour: hourMs, end: hourMs + HOUR_MS, device }));
  };
}

/** Packs an hour's records (LEVEL_ROWS_SQL's rows, from either store) into its block; null when there are none. */
export function packLevelHour(hourMs: number, all: readonly LevelRow[]): BuiltBlock | null {
  const rows = all.length;
  if (rows === 0) return null;
  const offsetMs = new Int32Array(rows);
  const columns = Array.from({ length: COLUMNS }, () => new Float64Array(rows));
  // r[1] is d, r[9] the full_scale_db (LEVEL_ROWS_SQL's order: the time, then the block's columns).
  let fullScaleDb: number | null = all[0]![9];
  for (let i = 0; i < rows; i++) {
    const r = all[i]!;
    offsetMs[i] = r[0];
    for (let c = 0; c < COLUMNS; c++) columns[c]![i] = r[c + 1] ?? Number.NaN;
    if (fullScaleDb !== null && r[9] !== fullScaleDb) fullScaleDb = null;
  }
  const last = all[rows - 1]!;
  return {
    rows, firstMs: hourMs + offsetMs[0]!, endMs: hourMs + last[0] + Math.trunc(last[1] * 1000), fullScaleDb, data: encodeBlock({ rows, offsetMs, columns }),
  };
}
