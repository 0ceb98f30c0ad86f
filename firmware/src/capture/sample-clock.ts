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

/**
 * Maps wall-clock instants (a button press, stamped by Date.now()) onto the
 * capture clock the level records use (issue 18, item 6), so an incident mark
 * and the levels around it share one timeline. Fed, per block, the capture
 * time of the block's last sample and the wall time it arrived; a block
 * arrives after its samples were taken (never before), so the offset is taken
 * as the largest seen over the last OFFSET_WINDOW blocks: the arrival with the
 * least buffering delay. Before any block, wall time is returned as it is.
 * Pure: times are passed in.
 */
const OFFSET_WINDOW = 50;

export class CaptureClockMap {
  private readonly offsets = new Float64Array(OFFSET_WINDOW);
  private count = 0;
  private next = 0;

  /** One block: capture time of its end, and the wall time it arrived. */
  observe(captureEndMs: number, arrivedAtWallMs: number): void {
    const offset = captureEndMs - arrivedAtWallMs;
    // A jump of the capture clock (a re-anchor, the next file of a replay) starts the window afresh.
    if (this.count > 0 && Math.abs(offset - this.offset()) > 1_000) this.count = 0;
    this.offsets[this.next] = offset;
    this.next = (this.next + 1) % OFFSET_WINDOW;
    if (this.count < OFFSET_WINDOW) this.count++;
  }

  /** The capture-clock time of wall instant `wallMs`. */
  toCapture(wallMs: number): number {
    return this.count === 0 ? wallMs : wallMs + this.offset();
  }

  private offset(): number {
    let best = Number.NEGATIVE_INFINITY;
    const start = (this.next - this.count + OFFSET_WINDOW) % OFFSET_WINDOW;
    for (let k = 0; k < this.count; k++) best = Math.max(best, this.offsets[(start + k) % OFFSET_WINDOW]!);
    return best;
  }
}
