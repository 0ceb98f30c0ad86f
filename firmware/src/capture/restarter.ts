/**
 * What a device source does when its device fails: record the error, count the
 * restart, report it as data (a `restarting` event for the heartbeat) and try
 * again after an exponential backoff — until the source is stopped.
 */
import type { ErrorCode } from '@earshot/shared';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { SourceHealth } from './health.ts';
import type { CaptureEvent, CaptureHealth, Clock } from './types.ts';

export class Restarter {
  readonly health: SourceHealth;
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(source: string, backoff: BackoffOptions | undefined, private readonly now: Clock) {
    this.health = new SourceHealth(source);
    this.backoff = new Backoff(backoff);
  }

  get active(): boolean {
    return this.running;
  }

  snapshot(): CaptureHealth {
    return this.health.snapshot();
  }

  start(): void {
    this.running = true;
  }

  /** No more restarts; cancels one that is waiting. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The device failed after running `ranMs`: report it to `sink` and call `again` after the backoff. */
  failed(sink: { event(e: CaptureEvent): void }, code: ErrorCode, detail: string, ranMs: number, again: () => void): void {
    if (!this.running) return;
    const error = this.health.error(code, detail);
    const delayMs = this.backoff.delayAfter(ranMs);
    this.health.restarts++;
    sink.event({ type: 'restarting', atMs: this.now(), attempt: this.health.restarts, delayMs, error });
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) again();
    }, delayMs);
  }
}
