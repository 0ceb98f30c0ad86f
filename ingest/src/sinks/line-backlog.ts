/**
 * A bounded FIFO of line-protocol lines that drops the oldest when full, so a
 * slow or absent server costs memory up to a fixed bound and never blocks the
 * writer. A fixed circular array: no growth, no shifting.
 */
export class LineBacklog {
  private readonly lines: (string | undefined)[];
  private head = 0;
  private count = 0;
  /** Lines dropped (oldest first) to keep within capacity. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`backlog capacity must be a positive integer, got ${capacity}`);
    this.lines = new Array<string | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(line: string): void {
    if (this.count === this.capacity) {
      this.lines[this.head] = line; // overwrite the oldest
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
      return;
    }
    this.lines[(this.head + this.count) % this.capacity] = line;
    this.count++;
  }

  /** Removes and returns up to `n` of the oldest lines. */
  take(n: number): string[] {
    const k = Math.min(n, this.count);
    const out = new Array<string>(k);
    for (let i = 0; i < k; i++) {
      out[i] = this.lines[this.head] as string;
      this.lines[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.count -= k;
    return out;
  }

  /**
   * Puts lines that failed to send back at the front (they are older than
   * anything queued since). Any that no longer fit are dropped, oldest first.
   */
  returnToFront(batch: readonly string[]): void {
    const room = this.capacity - this.count;
    const keepFrom = Math.max(0, batch.length - room);
    this.dropped += keepFrom;
    for (let i = batch.length - 1; i >= keepFrom; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.lines[this.head] = batch[i];
      this.count++;
    }
  }
}
