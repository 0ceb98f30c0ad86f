/**
 * Sliding percentile levels (LAFn,T) over the last N 10 ms F levels: a 0.1 dB
 * histogram plus a ring of the bins that entered it, so each new level adds one
 * count and removes the one leaving — O(1), whatever the window (24 h = 8.64 M
 * ticks = 17 MB of ring).
 */
import { LevelHistogram, binOf } from './histogram.ts';

const NO_LEVEL = -1;

export class RollingPercentile {
  readonly capacity: number;
  private readonly ring: Int16Array;
  private readonly hist = new LevelHistogram();
  private head = 0;
  private filled = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`window of ${capacity} levels`);
    this.capacity = capacity;
    this.ring = new Int16Array(capacity);
  }

  push(levelDb: number | null): void {
    const h = this.head;
    if (this.filled === this.capacity) {
      const old = this.ring[h]!;
      if (old !== NO_LEVEL) this.hist.removeBin(old);
    } else {
      this.filled++;
    }
    const bin = levelDb === null ? NO_LEVEL : binOf(levelDb);
    this.ring[h] = bin;
    if (bin !== NO_LEVEL) this.hist.addBin(bin);
    this.head = h + 1 === this.capacity ? 0 : h + 1;
  }

  /** Level exceeded `percent` % of the time in the window (0.1 dB resolution). */
  exceeded(percent: number): number | null {
    return this.hist.exceeded(percent);
  }

  /** Levels (not silences) in the window. */
  get levels(): number {
    return this.hist.total;
  }
}
