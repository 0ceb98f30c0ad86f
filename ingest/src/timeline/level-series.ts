/**
 * Levels of one device on a bucket grid, from the raw 1 s table for steps under a
 * minute and from the rollups (migrations.ts) for whole-minute steps. Only records
 * inside the given ranges (a case's deployments ∩ the period) are counted: the
 * ragged ends of a range are read from finer tiers and finally the raw table, so
 * a rollup block never brings in a neighbour's records.
 */
import type { SqlValue, Steps } from '../storage/record/steps.ts';
import { type Grid, energyMeanDb, l90FromBins, l90FromValues } from './buckets.ts';
import { ROLLUP_TIERS } from './migrations.ts';
import { PAGE_LIMIT, eachByTime, eachInChunks } from './paged-rows.ts';

export interface Range {
  readonly from: number;
  readonly to: number;
}

/** Per bucket, null where nothing was measured. */
export interface LevelSeries {
  readonly deviceId: string;
  /** Energy-mean LAeq over the bucket. */
  readonly LAeq: (number | null)[];
  /** Highest LAFmax in the bucket. */
  readonly LAFmax: (number | null)[];
  /** Lowest LAFmin in the bucket. */
  readonly LAFmin: (number | null)[];
  /** LA90 of the bucket's 1 s LAeq values (not LAF90: see TimelineLevels.la90Basis). */
  readonly LA90: (number | null)[];
  /** Seconds measured (with a level) in the bucket. */
  readonly seconds: number[];
}

interface RawRow { t: number; d: number; laeq: number | null; lafmax: number | null; lafmin: number | null }
interface BlockRow { b: number; seconds: number; energy: number; lafmax: number | null; lafmin: number | null }
interface BinRow { b: number; bin: number; seconds: number }

class Accumulator {
  readonly energy: Float64Array;
  readonly seconds: Float64Array;
  readonly max: Float64Array;
  readonly min: Float64Array;
  /** Whole-minute steps: 1 dB bins per bucket. */
  readonly bins: (Map<number, number> | undefined)[];
  readonly la90: (number | null)[];

  constructor(readonly grid: Grid) {
    this.energy = new Float64Array(grid.count);
    this.seconds = new Float64Array(grid.count);
    this.max = new Float64Array(grid.count).fill(Number.NEGATIVE_INFINITY);
    this.min = new Float64Array(grid.count).fill(Number.POSITIVE_INFINITY);
    this.bins = new Array<Map<number, number> | undefined>(grid.count);
    this.la90 = new Array<number | null>(grid.count).fill(null);
  }

  bucket(t: number): number {
    return Math.floor((t - this.grid.start) / this.grid.stepMs);
  }

  extremes(b: number, lafmax: number | null, lafmin: number | null): void {
    if (lafmax !== null && lafmax > this.max[b]!) this.max[b] = lafmax;
    if (lafmin !== null && lafmin < this.min[b]!) this.min[b] = lafmin;
  }

  addBin(b: number, bin: number, seconds: number): void {
    let m = this.bins[b];
    if (m === undefined) this.bins[b] = m = new Map();
    m.set(bin, (m.get(bin) ?? 0) + seconds);
  }

  result(deviceId: string): LevelSeries {
    const n = this.grid.count;
    const LAeq = new Array<number | null>(n);
    const LAFmax = new Array<number | null>(n);
    const LAFmin = new Array<number | null>(n);
    const seconds = new Array<number>(n);
    for (let b = 0; b < n; b++) {
      LAeq[b] = energyMeanDb(this.energy[b]!, this.seconds[b]!);
      LAFmax[b] = Number.isFinite(this.max[b]!) ? this.max[b]! : null;
      LAFmin[b] = Number.isFinite(this.min[b]!) ? this.min[b]! : null;
      seconds[b] = this.seconds[b]!;
      const bins = this.bins[b];
      if (bins !== undefined) this.la90[b] = l90FromBins(bins);
    }
    return { deviceId, LAeq, LAFmax, LAFmin, LA90: this.la90, seconds };
  }
}

/** Buckets per grouped rollup read: the query returns at most this many block rows (and this many × bins). */
const BUCKETS_PER_READ = 2_048;

const RAW_SQL = `SELECT t, d, laeq, lafmax, lafmin FROM levels WHERE t >= ? AND t < ? AND device = ? ORDER BY t ${PAGE_LIMIT}`;

// Bucket index computed in SQL, so a month comes back as one row per bucket (per bin); params: grid start, step.
const BUCKET = 'CAST((start - CAST(? AS bigint)) / CAST(? AS bigint) AS INTEGER)';

interface Tier {
  readonly ms: number;
  readonly blocks: string;
  readonly bins: string;
}

const TIERS: readonly Tier[] = ROLLUP_TIERS.map((tier) => ({
  ms: tier.ms,
  blocks: `SELECT ${BUCKET} AS b, CAST(coalesce(sum(seconds), 0) AS double precision) AS seconds,
           CAST(coalesce(sum(energy), 0) AS double precision) AS energy, max(lafmax) AS lafmax, min(lafmin) AS lafmin
           FROM ${tier.table} WHERE device = ? AND start >= ? AND start < ? GROUP BY 1`,
  bins: `SELECT ${BUCKET} AS b, bin, CAST(coalesce(sum(seconds), 0) AS double precision) AS seconds FROM ${tier.table}_hist
         WHERE device = ? AND start >= ? AND start < ? GROUP BY 1, 2`,
}));

/** Raw records of [from, to); with `exact` null, LA90 goes to 1 dB bins (as the rollups keep it). */
function* addRaw(acc: Accumulator, deviceId: string, from: number, to: number, exact: ExactL90 | null): Steps<void> {
  if (to <= from) return;
  yield* eachByTime<RawRow>(RAW_SQL, deviceId, from, to, (r) => {
    const bk = acc.bucket(r.t);
    acc.extremes(bk, r.lafmax, r.lafmin);
    if (r.laeq === null) return;
    acc.energy[bk]! += r.d * 10 ** (r.laeq / 10);
    acc.seconds[bk]! += r.d;
    if (exact === null) acc.addBin(bk, Math.floor(r.laeq), r.d);
    else exact.add(bk, r.laeq, r.d);
  });
}

/** [from, to) from the coarsest tier whose blocks fit the step; the ragged edges from finer tiers, then raw. */
function* addSpan(acc: Accumulator, deviceId: string, from: number, to: number, usable: readonly Tier[]): Steps<void> {
  if (to <= from) return;
  const [tier, ...finer] = usable;
  if (tier === undefined) return yield* addRaw(acc, deviceId, from, to, null);
  const whole0 = Math.ceil(from / tier.ms) * tier.ms;
  const whole1 = Math.floor(to / tier.ms) * tier.ms;
  if (whole1 <= whole0) return yield* addSpan(acc, deviceId, from, to, finer);
  yield* addSpan(acc, deviceId, from, whole0, finer);
  const { start, stepMs } = acc.grid;
  const params = (a: number, b: number): SqlValue[] => [start, stepMs, deviceId, a, b];
  yield* eachInChunks<BlockRow>(tier.blocks, whole0, whole1, start, stepMs * BUCKETS_PER_READ, params, (r) => {
    acc.energy[r.b]! += r.energy;
    acc.seconds[r.b]! += r.seconds;
    acc.extremes(r.b, r.lafmax, r.lafmin);
  });
  yield* eachInChunks<BinRow>(tier.bins, whole0, whole1, start, stepMs * BUCKETS_PER_READ, params, (r) => acc.addBin(r.b, r.bin, r.seconds));
  yield* addSpan(acc, deviceId, whole1, to, finer);
}

/** The levels of one device on a grid; `ranges` sorted and not overlapping (a device is never in two deployments at once). */
export function* levelSeriesSteps(deviceId: string, ranges: readonly Range[], grid: Grid): Steps<LevelSeries> {
  const acc = new Accumulator(grid);
  // A tier can answer a step that is a whole number of its blocks (the grid is step-aligned).
  const usable = TIERS.filter((t) => grid.stepMs % t.ms === 0);
  const exact = usable.length === 0 ? new ExactL90(acc.la90) : null;
  for (const r of ranges) {
    const from = Math.max(r.from, grid.start);
    const to = Math.min(r.to, grid.end);
    if (exact !== null) yield* addRaw(acc, deviceId, from, to, exact);
    else yield* addSpan(acc, deviceId, from, to, usable);
  }
  exact?.flush();
  return acc.result(deviceId);
}

/** Exact LA90 per bucket for sub-minute steps: rows arrive in time order, so one bucket is open at a time. */
class ExactL90 {
  #bucket = -1;
  #n = 0;
  #values = new Float64Array(64);
  #weights = new Float64Array(64);

  constructor(private readonly out: (number | null)[]) {}

  add(b: number, value: number, weight: number): void {
    if (b !== this.#bucket) {
      this.flush();
      this.#bucket = b;
    }
    if (this.#n === this.#values.length) {
      const v = new Float64Array(this.#n * 2);
      v.set(this.#values);
      this.#values = v;
      const w = new Float64Array(this.#n * 2);
      w.set(this.#weights);
      this.#weights = w;
    }
    this.#values[this.#n] = value;
    this.#weights[this.#n++] = weight;
  }

  flush(): void {
    if (this.#bucket >= 0 && this.#n > 0) this.out[this.#bucket] = l90FromValues(this.#values, this.#weights, this.#n);
    this.#n = 0;
  }
}
