/**
 * Levels of one device on a bucket grid, from the raw 1 s table for steps under a
 * minute and from the rollups (migrations.ts) for whole-minute steps. Only records
 * inside the given ranges (a case's deployments ∩ the period) are counted: the
 * ragged ends of a range are read from finer tiers and finally the raw table, so
 * a rollup block never brings in a neighbour's records.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.ts';
import { type Grid, energyMeanDb, l90FromBins, l90FromValues } from './buckets.ts';
import { ROLLUP_TIERS } from './migrations.ts';

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
type BlockParams = { device: string; from: number; to: number; start: number; step: number };

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

export interface LevelSeriesReader {
  /** `ranges` sorted and not overlapping (a device is never in two deployments at once). */
  read(deviceId: string, ranges: readonly Range[], grid: Grid): LevelSeries;
}

interface Tier {
  readonly ms: number;
  readonly blocks: Statement<BlockParams, BlockRow>;
  readonly bins: Statement<BlockParams, BinRow>;
}

export function createLevelSeriesReader(db: Db): LevelSeriesReader {
  const raw = db.prepare<[number, number, string], RawRow>('SELECT t, d, laeq, lafmax, lafmin FROM levels WHERE t >= ? AND t < ? AND device = ? ORDER BY t');
  // Bucket index computed in SQL, so a month comes back as one row per bucket (per bin).
  const b = 'CAST((start - :start) / :step AS INTEGER)';
  const tiers: Tier[] = ROLLUP_TIERS.map((tier) => ({
    ms: tier.ms,
    blocks: db.prepare<BlockParams, BlockRow>(
      `SELECT ${b} AS b, total(seconds) AS seconds, total(energy) AS energy, max(lafmax) AS lafmax, min(lafmin) AS lafmin
       FROM ${tier.table} WHERE device = :device AND start >= :from AND start < :to GROUP BY 1`,
    ),
    bins: db.prepare<BlockParams, BinRow>(
      `SELECT ${b} AS b, bin, total(seconds) AS seconds FROM ${tier.table}_hist
       WHERE device = :device AND start >= :from AND start < :to GROUP BY 1, 2`,
    ),
  }));

  /** Raw records of [from, to); with `exact` null, LA90 goes to 1 dB bins (as the rollups keep it). */
  function addRaw(acc: Accumulator, deviceId: string, from: number, to: number, exact: ExactL90 | null): void {
    if (to <= from) return;
    for (const r of raw.iterate(from, to, deviceId)) {
      const bk = acc.bucket(r.t);
      acc.extremes(bk, r.lafmax, r.lafmin);
      if (r.laeq === null) continue;
      acc.energy[bk]! += r.d * 10 ** (r.laeq / 10);
      acc.seconds[bk]! += r.d;
      if (exact === null) acc.addBin(bk, Math.floor(r.laeq), r.d);
      else exact.add(bk, r.laeq, r.d);
    }
  }

  /** [from, to) from the coarsest tier whose blocks fit the step; the ragged edges from finer tiers, then raw. */
  function addSpan(acc: Accumulator, deviceId: string, from: number, to: number, usable: readonly Tier[]): void {
    if (to <= from) return;
    const [tier, ...finer] = usable;
    if (tier === undefined) return addRaw(acc, deviceId, from, to, null);
    const whole0 = Math.ceil(from / tier.ms) * tier.ms;
    const whole1 = Math.floor(to / tier.ms) * tier.ms;
    if (whole1 <= whole0) return addSpan(acc, deviceId, from, to, finer);
    addSpan(acc, deviceId, from, whole0, finer);
    const p = { device: deviceId, from: whole0, to: whole1, start: acc.grid.start, step: acc.grid.stepMs };
    for (const r of tier.blocks.iterate(p)) {
      acc.energy[r.b]! += r.energy;
      acc.seconds[r.b]! += r.seconds;
      acc.extremes(r.b, r.lafmax, r.lafmin);
    }
    for (const r of tier.bins.iterate(p)) acc.addBin(r.b, r.bin, r.seconds);
    addSpan(acc, deviceId, whole1, to, finer);
  }

  return {
    read(deviceId, ranges, grid) {
      const acc = new Accumulator(grid);
      // A tier can answer a step that is a whole number of its blocks (the grid is step-aligned).
      const usable = tiers.filter((t) => grid.stepMs % t.ms === 0);
      const exact = usable.length === 0 ? new ExactL90(acc.la90) : null;
      for (const r of ranges) {
        const from = Math.max(r.from, grid.start);
        const to = Math.min(r.to, grid.end);
        if (exact !== null) addRaw(acc, deviceId, from, to, exact);
        else addSpan(acc, deviceId, from, to, usable);
      }
      exact?.flush();
      return acc.result(deviceId);
    },
  };
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
