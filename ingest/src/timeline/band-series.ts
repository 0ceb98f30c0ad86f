/**
 * The 1/3-octave bands of one device on a bucket grid (issue 16): per bucket and
 * band, the energy mean of the band's level over the records in the bucket,
 * 10·log10(Σ d·10^(L/10) / Σ d) over the records where the band had a level —
 * energy, not dB, adds (IEC 61672-1:2013 §3.9). Steps of whole ten-minute
 * blocks read the blocks' sums (store/level-bands-migrations.ts); the ragged
 * ends of a range, and finer steps, read the stored records, so a block never
 * brings in records from outside the ranges (a case's deployments ∩ the period).
 */
import type { Db } from '../db/open.ts';
import { ALL_BANDS, addBandEnergies, bandIndex, bandMeanDb } from '../store/band-codec.ts';
import { BAND_ROLLUP_MS } from '../store/level-bands-migrations.ts';
import { hasLevelBands } from '../store/level-bands.ts';
import type { Grid } from './buckets.ts';
import type { Range } from './level-series.ts';

/** Per bucket and nominal band (ALL_BANDS per bucket): Σ d·10^(L/10) and Σ d. */
export interface BandSums {
  readonly deviceId: string;
  readonly grid: Grid;
  readonly energy: Float64Array;
  readonly seconds: Float64Array;
}

export interface BandSeriesReader {
  /** `ranges` sorted and not overlapping. */
  read(deviceId: string, ranges: readonly Range[], grid: Grid): BandSums;
  /** The sums over a set of intervals as one bucket (an event, its background). */
  over(deviceId: string, intervals: readonly Range[]): { energy: Float64Array; seconds: Float64Array; records: number };
}

type RawRow = [number, number, string, Buffer];
type BlockRow = [number, Buffer, Buffer];

/** Adds a stored sums BLOB (ALL_BANDS doubles) into `into` at `offset`. */
function addDoubles(blob: Buffer, into: Float64Array, offset: number): void {
  for (let k = 0; k < ALL_BANDS; k++) into[offset + k]! += blob.readDoubleLE(k * 8);
}

/** A store without the band tables (level-bands-001 not applied) holds no bands. */
const NO_BANDS: BandSeriesReader = {
  read: (deviceId, _ranges, grid) => ({ deviceId, grid, energy: new Float64Array(grid.count * ALL_BANDS), seconds: new Float64Array(grid.count * ALL_BANDS) }),
  over: () => ({ energy: new Float64Array(ALL_BANDS), seconds: new Float64Array(ALL_BANDS), records: 0 }),
};

export function createBandSeriesReader(db: Db): BandSeriesReader {
  if (!hasLevelBands(db)) return NO_BANDS;
  const raw = db.prepare<[number, number, string], RawRow>('SELECT t, d, f0, data FROM level_bands WHERE t >= ? AND t < ? AND device = ? ORDER BY t').raw(true);
  const blocks = db.prepare<[string, number, number], BlockRow>('SELECT start, energy, seconds FROM level_bands_10m WHERE device = ? AND start >= ? AND start < ?').raw(true);
  // f0 is one of 34 strings: looked up once each.
  const i0 = new Map<string, number>();
  const indexOf = (f0: string): number => {
    let i = i0.get(f0);
    if (i === undefined) i0.set(f0, (i = bandIndex(f0)));
    return i;
  };

  function addRaw(s: BandSums, deviceId: string, from: number, to: number): void {
    if (to <= from) return;
    for (const [t, d, f0, data] of raw.iterate(from, to, deviceId)) {
      const b = Math.floor((t - s.grid.start) / s.grid.stepMs);
      addBandEnergies(data, indexOf(f0), d, s.energy, s.seconds, b * ALL_BANDS);
    }
  }

  return {
    read(deviceId, ranges, grid) {
      const s: BandSums = { deviceId, grid, energy: new Float64Array(grid.count * ALL_BANDS), seconds: new Float64Array(grid.count * ALL_BANDS) };
      // The grid is step-aligned: a step of whole blocks is answered by the blocks.
      const byBlocks = grid.stepMs % BAND_ROLLUP_MS === 0;
      for (const r of ranges) {
        const from = Math.max(r.from, grid.start);
        const to = Math.min(r.to, grid.end);
        if (to <= from) continue;
        const whole0 = Math.ceil(from / BAND_ROLLUP_MS) * BAND_ROLLUP_MS;
        const whole1 = Math.floor(to / BAND_ROLLUP_MS) * BAND_ROLLUP_MS;
        if (!byBlocks || whole1 <= whole0) {
          addRaw(s, deviceId, from, to);
          continue;
        }
        addRaw(s, deviceId, from, whole0);
        for (const [start, energy, seconds] of blocks.iterate(deviceId, whole0, whole1)) {
          const b = Math.floor((start - grid.start) / grid.stepMs);
          addDoubles(energy, s.energy, b * ALL_BANDS);
          addDoubles(seconds, s.seconds, b * ALL_BANDS);
        }
        addRaw(s, deviceId, whole1, to);
      }
      return s;
    },
    over(deviceId, intervals) {
      const energy = new Float64Array(ALL_BANDS);
      const seconds = new Float64Array(ALL_BANDS);
      let records = 0;
      for (const r of intervals) {
        if (r.to <= r.from) continue;
        for (const [, d, f0, data] of raw.iterate(r.from, r.to, deviceId)) {
          addBandEnergies(data, indexOf(f0), d, energy, seconds, 0);
          records += 1;
        }
      }
      return { energy, seconds, records };
    },
  };
}

/** The first and last nominal band with any level in the sums (−1, −1 when none). */
export function bandSpan(seconds: Float64Array): [number, number] {
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < seconds.length; i++) {
    if (!(seconds[i]! > 0)) continue;
    const k = i % ALL_BANDS;
    if (lo < 0 || k < lo) lo = k;
    if (k > hi) hi = k;
  }
  return [lo, hi];
}

/** The energy means of bands lo … hi of one bucket (dB to 0.1, null where no level), or null when the bucket has none. */
export function bucketLevels(energy: Float64Array, seconds: Float64Array, bucket: number, lo: number, hi: number): (number | null)[] | null {
  if (lo < 0) return null;
  const out = new Array<number | null>(hi - lo + 1);
  let any = false;
  for (let k = lo; k <= hi; k++) {
    const i = bucket * ALL_BANDS + k;
    const v = bandMeanDb(energy[i]!, seconds[i]!);
    if (v !== null) any = true;
    out[k - lo] = v;
  }
  return any ? out : null;
}
