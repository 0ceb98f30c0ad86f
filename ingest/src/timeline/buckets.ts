/**
 * The bucket grid of a timeline and the per-bucket statistics, pure and
 * synchronous. A bucket's length is a "nice" step (1 s … 7 d) chosen so that at
 * most `width` buckets cover the period; the grid is aligned to multiples of the
 * step since the epoch (UTC), so the same period always gives the same buckets.
 */

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

/**
 * Bucket lengths offered, ascending. Steps ≥ 1 min are whole minutes and steps
 * ≥ 10 min whole ten-minute blocks, so the rollups (migrations.ts) can answer them.
 */
export const STEPS_MS: readonly number[] = [
  S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S,
  MIN, 2 * MIN, 5 * MIN, 10 * MIN, 20 * MIN, 30 * MIN,
  H, 2 * H, 3 * H, 6 * H, 12 * H, DAY, 2 * DAY, 7 * DAY,
];

export interface Grid {
  /** Start of the first bucket (≤ the period's start). */
  readonly start: number;
  /** End of the last bucket (≥ the period's end). */
  readonly end: number;
  readonly stepMs: number;
  readonly count: number;
}

/** The smallest step giving at most `width` buckets over [from, to); null when even a week per bucket is too fine. */
export function chooseGrid(from: number, to: number, width: number): Grid | null {
  for (const stepMs of STEPS_MS) {
    const start = Math.floor(from / stepMs) * stepMs;
    const end = Math.ceil(to / stepMs) * stepMs;
    const count = (end - start) / stepMs;
    if (count <= width) return { start, end, stepMs, count };
  }
  return null;
}

/** What every per-bucket answer of a case's period starts with: the case, the period and each bucket's start (epoch ms). */
export function bucketHead(req: { readonly caseRef: string; readonly from: number; readonly to: number }, grid: Grid): {
  caseRef: string; from: string; to: string; bucket: { stepSeconds: number; t: number[] };
} {
  const t = new Array<number>(grid.count);
  for (let i = 0; i < grid.count; i++) t[i] = grid.start + i * grid.stepMs;
  return { caseRef: req.caseRef, from: new Date(req.from).toISOString(), to: new Date(req.to).toISOString(), bucket: { stepSeconds: grid.stepMs / 1000, t } };
}

/** Energy mean (IEC 61672-1:2013 §3.9): 10·log10(Σ d·10^(L/10) / Σ d), to 0.01 dB; null without any level. */
export function energyMeanDb(energy: number, seconds: number): number | null {
  if (!(seconds > 0) || !(energy > 0)) return null;
  return Math.round(1000 * Math.log10(energy / seconds)) / 100;
}

/** Share of the time a level is exceeded for LA90: it is the 10th percentile from below. */
const L90_FROM_BELOW = 0.1;

/**
 * LA90 of 1 s LAeq values counted in 1 dB bins (bin b holds [b, b+1) dB): the
 * centre of the bin where 10 % of the time is reached from below, so within ±0.5 dB.
 */
export function l90FromBins(bins: ReadonlyMap<number, number>): number | null {
  let total = 0;
  for (const s of bins.values()) total += s;
  if (!(total > 0)) return null;
  const target = total * L90_FROM_BELOW;
  let cum = 0;
  for (const b of [...bins.keys()].sort((x, y) => x - y)) {
    cum += bins.get(b) ?? 0;
    if (cum >= target - 1e-9) return b + 0.5;
  }
  return null;
}

/** LA90 of 1 s LAeq values, exactly: the value at which 10 % of the time (weighted by d) is reached from below. */
export function l90FromValues(values: Float64Array, weights: Float64Array, n: number): number | null {
  if (n === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  const target = total * L90_FROM_BELOW;
  let cum = 0;
  for (const i of order) {
    cum += weights[i]!;
    if (cum >= target - 1e-9) return values[i]!;
  }
  return values[order[n - 1]!]!;
}
