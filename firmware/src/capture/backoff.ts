/**
 * Exponential restart backoff for a capture device that keeps failing: 1 s, 2 s,
 * 4 s … up to a ceiling, back to the start once the device has run long enough to
 * count as healthy. Pure: the caller owns the timer.
 */

export interface BackoffOptions {
  /** First delay (ms); default 1 000. */
  initialMs?: number;
  /** Ceiling (ms); default 60 000. */
  maxMs?: number;
  /** A run at least this long (ms) resets the delay; default 30 000. */
  healthyAfterMs?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly healthyAfterMs: number;
  private nextMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1_000;
    this.maxMs = options.maxMs ?? 60_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 30_000;
    this.nextMs = this.initialMs;
  }

  /** The delay before the next attempt, given how long the last run lasted. */
  delayAfter(ranMs: number): number {
    if (ranMs >= this.healthyAfterMs) this.nextMs = this.initialMs;
    const delay = this.nextMs;
    this.nextMs = Math.min(this.maxMs, this.nextMs * 2);
    return delay;
  }
}
