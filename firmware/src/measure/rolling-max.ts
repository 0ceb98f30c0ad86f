/**
 * Sliding maximum over the last N values (for LAFmax,T), O(1) amortised per value:
 * a monotonic deque of (position, value) in preallocated rings. Missing values
 * (silence) advance the window without entering it.
 */
export class RollingMax {
  readonly capacity: number;
  private readonly pos: Float64Array;
  private readonly val: Float64Array;
  private front = 0;
  private size = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`window of ${capacity} values`);
    this.capacity = capacity;
    this.pos = new Float64Array(capacity);
    this.val = new Float64Array(capacity);
  }

  push(value: number | null): void {
    const n = this.count++;
    const cap = this.capacity;
    // Expire the front when it has left the window.
    if (this.size > 0 && this.pos[this.front]! <= n - cap) {
      this.front = this.front + 1 === cap ? 0 : this.front + 1;
      this.size--;
    }
    if (value === null) return;
    // Drop smaller values from the back: they can never be the maximum again.
    while (this.size > 0) {
      let back = this.front + this.size - 1;
      if (back >= cap) back -= cap;
      if (this.val[back]! > value) break;
      this.size--;
    }
    let at = this.front + this.size;
    if (at >= cap) at -= cap;
    this.pos[at] = n;
    this.val[at] = value;
    this.size++;
  }

  /** The largest value in the window, null when it holds none. */
  get max(): number | null {
    return this.size === 0 ? null : this.val[this.front]!;
  }
}
