/**
 * The 1/3-octave bands of one device on a bucket grid (issue 16): per bucket and
 * band, the energy mean of the band's level over the records in the bucket,
 * 10·log10(Σ d·10^(L/10) / Σ d) over the records where the band had a level —
 * energy, not dB, adds (IEC 61672-1:2013 §3.9). Steps of whole ten-minute
 * blocks read the blocks' sums (store/level-bands-migrations.ts); the ragged
 * ends of a range, and finer steps, read the stored records, so a block never
 * brings in records from outside the ranges (a case's deployments ∩ the period).
 */
import { type Steps, hasTable } from '../storage/record/steps.ts';
import { ALL_BANDS, addBandEnergies, bandIndex, bandMeanDb } from '../store/band-codec.ts';
import { BAND_ROLLUP_MS } from '../store/level-bands-migrations.ts';
import type { Grid } from './buckets.ts';
import type { Range } from './level-series.ts';
import { PAGE_LIMIT, eachByTime, eachInChunks } from './paged-rows.ts';

/** Per bucket and nominal band (ALL_BANDS per bucket): Σ d·10^(L/10) and Σ d. */
export interface BandSums {
  readonly deviceId: string;
  readonly grid: Grid;
  readonly energy: Float64Array;
  readonly seconds: Float64Array;
}

interface RawRow { t: number; d: number; f0: string; data: Buffer }
interface BlockRow { start: number; energy: Buffer; seconds: Buffer }

const RAW_SQL = `SELECT t, d, f0, data FROM level_bands WHERE t >= ? AND t < ? AND device = ? ORDER BY t ${PAGE_LIMIT}`;
// In time order, so the blocks of a bucket add up in the same order on either store.
const BLOCKS_SQL = 'SELECT start, energy, seconds FROM level_bands_10m WHERE device = ? AND start >= ? AND start < ? ORDER BY start';
/** Blocks per read: 1 024 × 2 × 272 bytes of sums (a week). */
const BLOCKS_PER_READ = 1_024;

/** Adds a stored sums BLOB (ALL_BANDS doubles) into `into` at `offset`. */
function addDoubles(blob: Buffer, into: Float64Array, offset: number): void {
  for (let k = 0; k < ALL_BANDS; k++) into[offset + k]! += blob.readDoubleLE(k * 8);
}

/** Whether the store holds bands: a store without the band tables (level-bands-001 not applied) has none. */
function* hasBands(): Steps<boolean> {
  return (yield* hasTable('level_bands')) && (yield* hasTable('level_bands_10m'));
}

// f0 is one of 34 strings: looked up once each.
const i0 = new Map<string, number>();
function indexOf(f0: string): number {
  let i = i0.get(f0);
  if (i === undefined) i0.set(f0, (i = bandIndex(f0)));
  return i;
}

/** Adds the band records of [from, to) into the sums, each at `offset(t)`. */
function* addRaw(deviceId: string, from: number, to: number, energy: Float64Array, seconds: Float64Array, offset: (t: number) => number): Steps<number> {
  let records = 0;
  if (to <= from) return records;
  yield* eachByTime<RawRow>(RAW_SQL, deviceId, from, to, (r) => {
    addBandEnergies(r.data, indexOf(r.f0), r.d, energy, seconds, offset(r.t));
    records += 1;
  });
  return records;
}

/** The band sums of one device on a grid; `ranges` sorted and not overlapping. */
export function* bandSumsSteps(deviceId: string, ranges: readonly Range[], grid: Grid): Steps<BandSums> {
  const s: BandSums = { deviceId, grid, energy: new Float64Array(grid.count * ALL_BANDS), seconds: new Float64Array(grid.count * ALL_BANDS) };
  if (!(yield* hasBands())) return s;
  const at = (t: number): number => Math.floor((t - grid.start) / grid.stepMs) * ALL_BANDS;
  // The grid is step-aligned: a step of whole blocks is answered by the blocks.
  const byBlocks = grid.stepMs % BAND_ROLLUP_MS === 0;
  for (const r of ranges) {
    const from = Math.max(r.from, grid.start);
    const to = Math.min(r.to, grid.end);
    if (to <= from) continue;
    const whole0 = Math.ceil(from / BAND_ROLLUP_MS) * BAND_ROLLUP_MS;
    const whole1 = Math.floor(to / BAND_ROLLUP_MS) * BAND_ROLLUP_MS;
    if (!byBlocks || whole1 <= whole0) {
      yield* addRaw(deviceId, from, to, s.energy, s.seconds, at);
      continue;
    }
    yield* addRaw(deviceId, from, whole0, s.energy, s.seconds, at);
    yield* eachInChunks<BlockRow>(BLOCKS_SQL, whole0, whole1, whole0, BAND_ROLLUP_MS * BLOCKS_PER_READ, (a, b) => [deviceId, a, b], (row) => {
      const o = at(row.start);
      addDoubles(row.energy, s.energy, o);
      addDoubles(row.seconds, s.seconds, o);
    });
    yield* addRaw(deviceId, whole1, to, s.energy, s.seconds, at);
  }
  return s;
}

/** The band sums of one device over a set of intervals as one bucket (an event, its background). */
export function* bandSumsOverSteps(deviceId: string, intervals: readonly Range[]): Steps<{ energy: Float64Array; seconds: Float64Array; records: number }> {
  const energy = new Float64Array(ALL_BANDS);
  const seconds = new Float64Array(ALL_BANDS);
  let records = 0;
  if (!(yield* hasBands())) return { energy, seconds, records };
  for (const r of intervals) records += yield* addRaw(deviceId, r.from, r.to, energy, seconds, () => 0);
  return { energy, seconds, records };
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
