/**
 * What the microphone has been doing since the last heartbeat (StatusBody.mic):
 * digital silence (a dead input) and samples at full scale (overload) are
 * detected and reported, never silently averaged in (issue 2).
 */
import type { StatusBody } from '@earshot/shared';

export class MicHealth {
  private seconds = 0;
  private silentSeconds = 0;
  private clippedSamples = 0;

  /** One interval of `seconds` from the engine or a level source. */
  add(seconds: number, silent: boolean, clipped: number): void {
    this.seconds += seconds;
    if (silent) this.silentSeconds += seconds;
    this.clippedSamples += clipped;
  }

  /** The report since the last one; starts a new period. */
  take(): StatusBody['mic'] {
    let state: StatusBody['mic']['state'] = 'ok';
    if (this.seconds === 0) state = 'no-signal';
    else if (this.silentSeconds >= this.seconds) state = 'silent';
    else if (this.clippedSamples > 0) state = 'clipping';
    const report = { state, silentSeconds: Math.round(this.silentSeconds * 1000) / 1000, clippedSamples: this.clippedSamples };
    this.seconds = this.silentSeconds = this.clippedSamples = 0;
    return report;
  }
}
