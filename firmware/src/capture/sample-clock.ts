/**
 * Wall time of each captured sample. Audio arrives in bursts (pipe and ALSA
 * period buffering), so the time a block arrives is a noisy, late estimate of
 * when its samples were taken; counting samples is smooth but drifts with the
 * sound card's crystal (typically tens of ppm: seconds a day). The clock counts
 * samples from an anchor and re-anchors to arrival time when the two disagree by
 * more than a tolerance, so timestamps are smooth and never far from the system
 * clock (itself disciplined by chrony). Pure: arrival times are passed in.
 */

/** Default tolerance: well above pipe/period jitter (tens of ms), well below a 1 s record. */
const DEFAULT_TOLERANCE_MS = 250;

export class SampleClock {
  private anchorMs = 0;
  private anchorFrame = 0;
  private anchored = false;
  /** Times the clock jumped to follow the system clock. */
  reanchors = 0;

  constructor(
    readonly sampleRate: number,
    private readonly toleranceMs = DEFAULT_TOLERANCE_MS,
  ) {}

  /** Forgets the anchor (after a restart: the sample count no longer matches time). */
  reset(): void {
    this.anchored = false;
  }

  /**
   * Time of frame `firstFrame` of a block of `frames` frames whose last sample has
   * just arrived at `arrivedAtMs`.
   */
  blockStart(firstFrame: number, frames: number, arrivedAtMs: number): number {
    const observed = arrivedAtMs - (frames * 1000) / this.sampleRate;
    if (!this.anchored) {
      this.anchored = true;
      this.anchorMs = observed;
      this.anchorFrame = firstFrame;
      return observed;
    }
    const predicted = this.anchorMs + ((firstFrame - this.anchorFrame) * 1000) / this.sampleRate;
    if (Math.abs(observed - predicted) > this.toleranceMs) {
      this.reanchors++;
      this.anchorMs = observed;
      this.anchorFrame = firstFrame;
      return observed;
    }
    return predicted;
  }

  /** Anchors at a known time (WAV replay: the timeline is the file's, not the arrival). */
  anchor(firstFrame: number, atMs: number): void {
    this.anchored = true;
    this.anchorMs = atMs;
    this.anchorFrame = firstFrame;
  }

  /** Time of `frame` on the current anchor, without re-anchoring. */
  timeOf(frame: number): number {
    return this.anchorMs + ((frame - this.anchorFrame) * 1000) / this.sampleRate;
  }
}
