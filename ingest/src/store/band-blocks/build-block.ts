/**
 * A band block from `level_bands` (codec.ts): one hour of one monitor's band
 * records read in time order, in one hour-sized read of raw arrays, packed.
 * The read is the cost (≈ 1.8 µs a row with its BLOB), paid once per hour
 * when the block is sealed instead of at every export.
 */
import type { Db } from '../../db/open.ts';
import { bandIndex } from '../band-codec.ts';
import { HOUR_MS } from '../level-blocks/migrations.ts';
import { allocBlock, packRecord } from './codec.ts';

/** A band record as BAND_ROWS_SQL reads it: its offset in the hour, d, f0, its bands' bytes. */
export type BandRow = readonly [number, number, string, Uint8Array];

/** An hour's band records in time order (named parameters: hour, end, device), in the SQL both stores share. */
export const BAND_ROWS_SQL = 'SELECT t - :hour, d, f0, data FROM level_bands WHERE t >= :hour AND t < :end AND device = :device ORDER BY t';

export interface BuiltBandBlock {
  readonly rows: number;
  readonly data: Buffer;
}

/**
 * Builds the band block of a device's hour from `db` (any connection, a read-only snapshot too): null when
 * the hour holds no band record, 'rows' when one of its records cannot be packed (codec.ts packRecord).
 */
export function createBandBlockBuilder(db: Db): (device: string, hourMs: number) => BuiltBandBlock | null | 'rows' {
  const read = db.prepare<{ hour: number; end: number; device: string }, BandRow>(BAND_ROWS_SQL).raw(true);
  const pack = createBandHourPacker();
  return (device, hourMs) => {
    if (hourMs % HOUR_MS !== 0) throw new RangeError(`${hourMs} is not the start of a UTC hour`);
    return pack(hourMs, read.all({ hour: hourMs, end: hourMs + HOUR_MS, device }));
  };
}

/** Packs an hour's band records (BAND_ROWS_SQL's rows, from either store): null when there are none, 'rows' when one cannot be packed. */
export function createBandHourPacker(): (hourMs: number, all: readonly BandRow[]) => BuiltBandBlock | null | 'rows' {
  const i0s = new Map<string, number>();
  return (hourMs, all) => {
    if (all.length === 0) return null;
    const { block, bytes } = allocBlock(hourMs, all.length);
    for (let i = 0; i < all.length; i++) {
      const [offset, d, f0, data] = all[i]!;
      let i0 = i0s.get(f0);
      if (i0 === undefined) i0s.set(f0, (i0 = bandIndex(f0)));
      if (!packRecord(block, i, offset, d, i0, data)) return 'rows';
    }
    return { rows: all.length, data: bytes };
  };
}
