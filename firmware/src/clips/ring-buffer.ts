/**
 * The pre-trigger ring buffer: the last N seconds of captured mono audio, so a
 * clip can begin before the moment that triggered it. One preallocated
 * Float64Array; writing is O(1) per sample and allocates nothing; reading hands
 * out the held audio oldest first as at most two contiguous runs of the array.
 * Memory only: it is never written to disk (privacy: no audio outside clips).
 */

export class PreTriggerBuffer {
  readonly capacity: number;
  private readonly data: Float64Array;
  /** Index the next sample is written to. */
  private head = 0;
  private held = 0;

  constructor(capacityFrames: number) {
    if (!Number.isInteger(capacityFrames) || capacityFrames < 0) throw new RangeError(`ring capacity ${capacityFrames}`);
    this.capacity = capacityFrames;
    this.data = new Float64Array(capacityFrames);
  }

  /** Frames held (≤ capacity). */
  get length(): number {
    return this.held;
  }

  write(samples: Float64Array, start: number, end: number): void {
    const cap = this.capacity;
    if (cap === 0) return;
    const data = this.data;
    // Only the last `cap` samples of a long block can survive.
    let i = end - start > cap ? end - cap : start;
    let h = this.head;
    for (; i < end; i++) {
      data[h] = samples[i]!;
      h++;
      if (h === cap) h = 0;
    }
    this.held = Math.min(cap, this.held + (end - start));
    this.head = h;
  }

  /**
   * Visits the newest `frames` frames (≤ length), oldest first, as runs
   * data[start..end) of the backing array; returns the frames visited.
   */
  readLatest(frames: number, visit: (data: Float64Array, start: number, end: number) => void): number {
    const n = Math.min(frames, this.held);
    if (n === 0) return 0;
    const cap = this.capacity;
    const from = (this.head - n + cap) % cap;
    if (from + n <= cap) visit(this.data, from, from + n);
    else {
      visit(this.data, from, cap);
      visit(this.data, 0, from + n - cap);
    }
    return n;
  }

  /** Forgets everything held (after a capture discontinuity: audio either side is not continuous). */
  clear(): void {
    this.held = 0;
    this.head = 0;
  }
}
