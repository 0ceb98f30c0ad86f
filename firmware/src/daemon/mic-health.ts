/**
 * What the microphone has been doing since the last heartbeat (StatusBody.mic):
 * digital silence (a dead input) and samples at full scale (overload) are
 * detected and reported, never silently averaged in (issue 2).
 */
import type { StatusBody } from '@earshot/shared';

/**
 * A period with no audio at all is "no-signal" only once it has lasted this
 * long: the engine and the level sources deliver a record every second, so
 * five seconds without one is a stopped input, not a heartbeat sent the moment
 * the monitor started (or re-sent on a config change) before its first second.
 */
export const NO_SIGNAL_AFTER_MS = 5_000;

export class MicHealth {
  private seconds = 0;
  private silentSeconds = 0;
  private clippedSamples = 0;
  private readonly now: () => number;
  private periodStartMs: number;
  private lastState: StatusBody['mic']['state'] = 'unknown';

  /** `now`: the wall clock the period is timed on (the mocked clock in tests). */
  constructor(now: () => number = Date.now) {
    this.now = now;
    this.periodStartMs = now();
  }

  /** One interval of `seconds` from the engine or a level source. */
  add(seconds: number, silent: boolean, clipped: number): void {
    this.seconds += seconds;
    if (silent) this.silentSeconds += seconds;
    this.clippedSamples += clipped;
  }

  /**
   * The report since the last one; starts a new period. A period too short to
   * have heard anything says what the last one found ("unknown" before any) and
   * runs on, so the next report covers it.
   */
  take(): StatusBody['mic'] {
    const now = this.now();
    if (this.seconds === 0 && now - this.periodStartMs < NO_SIGNAL_AFTER_MS) return { state: this.lastState, silentSeconds: 0, clippedSamples: 0 };
    let state: StatusBody['mic']['state'] = 'ok';
    if (this.seconds === 0) state = 'no-signal';
    else if (this.silentSeconds >= this.seconds) state = 'silent';
    else if (this.clippedSamples > 0) state = 'clipping';
    const report = { state, silentSeconds: Math.round(this.silentSeconds * 1000) / 1000, clippedSamples: this.clippedSamples };
    this.seconds = this.silentSeconds = this.clippedSamples = 0;
    this.periodStartMs = now;
    this.lastState = state;
    return report;
  }
}
