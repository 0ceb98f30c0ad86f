/**
 * What a night chart draws (night-series.ts): per bucket of a grid, the
 * energy-mean LAeq (IEC 61672-1:2013 §3.9) and the highest LAFmax of one
 * monitor, inside the case's ranges only. The same figures, summed in the same
 * order, as the timeline's reader gives them (timeline/level-series.ts: whole
 * rollup blocks from the coarsest tier that fits the step, the ragged edges
 * from finer tiers, then the records), without the LA90 bins a chart does not
 * show — reading those was most of the charts' cost — and with the records of
 * the edges from the hours' level blocks (store/level-blocks/read-blocks.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.ts';
import { D, LAEQ, LAFMAX, type BlockReader, createBlockReader } from '../store/level-blocks/index.ts';
import { type Grid, energyMeanDb } from '../timeline/buckets.ts';
import { ROLLUP_TIERS } from '../timeline/migrations.ts';
import type { Range } from '../timeline/level-series.ts';

export interface ChartLevels {
  /** Per bucket, null where nothing was measured. */
  readonly LAeq: (number | null)[];
  readonly LAFmax: (number | null)[];
}

interface BucketRow { b: number; seconds: number; energy: number; lafmax: number | null }
type BucketParams = { device: string; from: number; to: number; start: number; step: number };

interface Tier {
  readonly ms: number;
  readonly buckets: Statement<BucketParams, BucketRow>;
}

class Sums {
  readonly energy: Float64Array;
  readonly seconds: Float64Array;
  readonly max: Float64Array;

  constructor(readonly grid: Grid) {
    this.energy = new Float64Array(grid.count);
    this.seconds = new Float64Array(grid.count);
    this.max = new Float64Array(grid.count).fill(Number.NEGATIVE_INFINITY);
  }
}

export function createChartLevelsReader(db: Db, blocks: BlockReader = createBlockReader(db)): (deviceId: string, ranges: readonly Range[], grid: Grid) => ChartLevels {
  // As level-series.ts: the bucket index computed in SQL, one row per bucket.
  const b = 'CAST((start - :start) / :step AS INTEGER)';
  const tiers: Tier[] = ROLLUP_TIERS.map((tier) => ({
    ms: tier.ms,
    buckets: db.prepare<BucketParams, BucketRow>(
      `SELECT ${b} AS b, total(seconds) AS seconds, total(energy) AS energy, max(lafmax) AS lafmax
       FROM ${tier.table} WHERE device = :device AND start >= :from AND start < :to GROUP BY 1`,
    ),
  }));

  function addRecords(acc: Sums, deviceId: string, from: number, to: number): void {
    if (to <= from) return;
    const { start, stepMs } = acc.grid;
    for (const { block, first, end } of blocks.slices(deviceId, from, to)) {
      const d = block.values(D);
      const laeq = block.values(LAEQ);
      const lafmax = block.values(LAFMAX);
      for (let i = first; i < end; i++) {
        const bk = Math.floor((block.hourMs + block.offsetMs[i]! - start) / stepMs);
        const max = lafmax[i]!;
        if (max === max && max > acc.max[bk]!) acc.max[bk] = max;
        const la = laeq[i]!;
        if (la !== la) continue;
        acc.energy[bk]! += d[i]! * 10 ** (la / 10);
        acc.seconds[bk]! += d[i]!;
      }
    }
  }

  function addSpan(acc: Sums, deviceId: string, from: number, to: number, usable: readonly Tier[]): void {
    if (to <= from) return;
    const [tier, ...finer] = usable;
    if (tier === undefined) return addRecords(acc, deviceId, from, to);
    const whole0 = Math.ceil(from / tier.ms) * tier.ms;
    const whole1 = Math.floor(to / tier.ms) * tier.ms;
    if (whole1 <= whole0) return addSpan(acc, deviceId, from, to, finer);
    addSpan(acc, deviceId, from, whole0, finer);
    for (const r of tier.buckets.iterate({ device: deviceId, from: whole0, to: whole1, start: acc.grid.start, step: acc.grid.stepMs })) {
      acc.energy[r.b]! += r.energy;
      acc.seconds[r.b]! += r.seconds;
      if (r.lafmax !== null && r.lafmax > acc.max[r.b]!) acc.max[r.b] = r.lafmax;
    }
    addSpan(acc, deviceId, whole1, to, finer);
  }

  return (deviceId, ranges, grid) => {
    const acc = new Sums(grid);
    // A tier can answer a step that is a whole number of its blocks (the grid is step-aligned).
    const usable = tiers.filter((t) => grid.stepMs % t.ms === 0);
    for (const r of ranges) addSpan(acc, deviceId, Math.max(r.from, grid.start), Math.min(r.to, grid.end), usable);
    const LAeq = new Array<number | null>(grid.count);
    const LAFmax = new Array<number | null>(grid.count);
    for (let k = 0; k < grid.count; k++) {
      LAeq[k] = energyMeanDb(acc.energy[k]!, acc.seconds[k]!);
      LAFmax[k] = Number.isFinite(acc.max[k]!) ? acc.max[k]! : null;
    }
    return { LAeq, LAFmax };
  };
}
