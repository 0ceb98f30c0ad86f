/**
 * Per-device token bucket. A device over its rate is slowed, not refused: the
 * broker holds the PUBACK (and reads no more from that connection) until a
 * token is due, so QoS 1 flow control throttles the device and nothing is lost.
 */
export interface BucketOptions {
  /** Messages the bucket holds: the burst a device may send at once. */
  burst: number;
  /** Sustained messages per second. */
  perSecond: number;
}

/** A device sends ~0.1 levels/s + heartbeat + events; clips are up to 1 024 chunks (MAX_CLIP_BYTES / 64 KiB) in a burst. */
export const DEFAULT_RATE: BucketOptions = { burst: 2_000, perSecond: 200 };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly opts: BucketOptions, now: number) {
    this.tokens = opts.burst;
    this.last = now;
  }

  /** Takes one token; returns how many ms the caller must wait for it (0 = now). Tokens may go negative: waiters queue in order. */
  take(now: number): number {
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.last) * this.opts.perSecond) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.opts.perSecond);
  }
}

/** A budget that refuses rather than delays: `tryTake` spends a token when one is there. */
export class Budget {
  private tokens: number;
  private last: number;

  constructor(private readonly opts: BucketOptions, now: number) {
    this.tokens = opts.burst;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.opts.burst, this.tokens + (Math.max(0, now - this.last) * this.opts.perSecond) / 1000);
    this.last = now;
  }

  /** True when a token was there (and is now spent). */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  has(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.opts.burst;
  }
}
