/**
 * Counts of levels in fixed 0.1 dB bins (DESIGN §2: percentiles at 0.1 dB
 * resolution). Adding and removing a level is O(1); a percentile query walks
 * at most the bin array (constant size), never the samples.
 */

export const HIST_MIN_DB = -100;
export const HIST_MAX_DB = 250;
// DESIGN §2: percentile levels at 0.1 dB resolution.
export const HIST_STEP_DB = 0.1;
export const HIST_BINS = Math.round((HIST_MAX_DB - HIST_MIN_DB) / HIST_STEP_DB) + 1;

/** Bin of a level; levels beyond the range fall in the end bins. */
export function binOf(levelDb: number): number {
  const b = Math.round((levelDb - HIST_MIN_DB) * 10);
  return b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b;
}

/** Centre level of a bin, rounded to 0.1 dB. */
export function levelOfBin(bin: number): number {
  return Math.round(HIST_MIN_DB * 10 + bin) / 10;
}

export class LevelHistogram {
  private readonly counts = new Float64Array(HIST_BINS);
  private n = 0;

  get total(): number {
    return this.n;
  }

  addBin(bin: number): void {
    this.counts[bin]! += 1;
    this.n++;
  }

  removeBin(bin: number): void {
    this.counts[bin]! -= 1;
    this.n--;
  }

  add(levelDb: number): void {
    this.addBin(binOf(levelDb));
  }

  clear(): void {
    this.counts.fill(0);
    this.n = 0;
  }

  /**
   * LN: the level exceeded N % of the time (e.g. N = 90 for the LA90 background).
   * The r-th highest level, r = max(1, ⌈N/100 · count⌉). `null` with no levels.
   */
  exceeded(percent: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.n - 1e-9));
    let cum = 0;
    for (let b = HIST_BINS - 1; b >= 0; b--) {
      cum += this.counts[b]!;
      if (cum >= rank) return levelOfBin(b);
    }
    return levelOfBin(0);
  }
}
