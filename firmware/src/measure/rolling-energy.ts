/**
 * Sliding energy sum over the last N intervals (for LAeq,T and LAE,T), O(1) per
 * interval: add the entering energy, subtract the leaving one, and recompute the
 * sum from the ring once per lap so floating-point rounding cannot drift
 * (as dasp's Rms). Intervals without a valid measurement (digital silence) take
 * their slot but no duration, so the window's coverage is known.
 */
export class RollingEnergy {
  readonly capacity: number;
  private readonly energy: Float64Array;
  private readonly duration: Float64Array;
  private head = 0;
  private filled = 0;
  private sinceRecompute = 0;
  private energySum = 0;
  private durationSum = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`window of ${capacity} intervals`);
    this.capacity = capacity;
    this.energy = new Float64Array(capacity);
    this.duration = new Float64Array(capacity);
  }

  /** Adds one interval: its mean square and duration (0 duration for an invalid interval). */
  push(meanSquare: number, durationSeconds: number): void {
    const e = meanSquare * durationSeconds;
    const h = this.head;
    if (this.filled === this.capacity) {
      this.energySum -= this.energy[h]!;
      this.durationSum -= this.duration[h]!;
    } else {
      this.filled++;
    }
    this.energy[h] = e;
    this.duration[h] = durationSeconds;
    this.energySum += e;
    this.durationSum += durationSeconds;
    this.head = h + 1 === this.capacity ? 0 : h + 1;
    if (++this.sinceRecompute === this.capacity) this.recompute();
  }

  private recompute(): void {
    let e = 0;
    let d = 0;
    for (let i = 0; i < this.filled; i++) {
      e += this.energy[i]!;
      d += this.duration[i]!;
    }
    this.energySum = e;
    this.durationSum = d;
    this.sinceRecompute = 0;
  }

  /** Σ ms·t over the window (mean square × seconds). */
  get totalEnergy(): number {
    return this.energySum > 0 ? this.energySum : 0;
  }

  /** Seconds of valid measurement in the window. */
  get measuredSeconds(): number {
    return this.durationSum > 1e-12 ? this.durationSum : 0;
  }

  /** Energy-mean mean square over the measured seconds (0 when none). */
  get meanSquare(): number {
    const d = this.measuredSeconds;
    return d > 0 ? this.totalEnergy / d : 0;
  }

  /** Intervals currently in the window (valid or not). */
  get length(): number {
    return this.filled;
  }
}
