/** Start times of a rule's events in the last sliding hour, in a fixed ring (capacity = the cap). */

const HOUR_MS = 3_600_000;

export class HourlyCap {
  private readonly starts: Float64Array;
  private head = 0;
  private size = 0;

  constructor(readonly maxPerHour: number) {
    this.starts = new Float64Array(maxPerHour);
  }

  /** Whether an event starting at `atMs` would exceed the cap (starts in (atMs − 1 h, atMs]). */
  isFull(atMs: number): boolean {
    const cap = this.maxPerHour;
    while (this.size > 0 && this.starts[this.head]! <= atMs - HOUR_MS) {
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.size--;
    }
    return this.size >= cap;
  }

  /** Records a start; call only after isFull(atMs) returned false. */
  record(atMs: number): void {
    let at = this.head + this.size;
    if (at >= this.maxPerHour) at -= this.maxPerHour;
    this.starts[at] = atMs;
    this.size++;
  }
}
