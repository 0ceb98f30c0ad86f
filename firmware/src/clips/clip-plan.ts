/**
 * The clip state machine, in frames: pure, no audio, no files, no clocks.
 *
 *   idle ──trigger──▶ event ──all events ended / maximum reached──▶ post-roll ──done──▶ idle
 *                        ▲                                            │
 *                        └─────────── another trigger joins ──────────┘
 *
 * A clip is pre-trigger audio + the event (while any event that triggered or
 * joined it lasts, up to a maximum) + post-roll. An incident (button) has no end
 * of its own: it lasts `incidentFrames`. The per-deployment audio mode decides
 * which triggers may make a clip at all.
 */

/** Per-deployment audio mode (issue 3 "Audio clips (privacy first)"). */
export type AudioMode = 'off' | 'button-only' | 'on-event';
/** What asked for a clip: a nuisance rule, or the resident's incident button. */
export type TriggerReason = 'rule' | 'button';

export interface ClipTiming {
  preFrames: number;
  maxEventFrames: number;
  postFrames: number;
  /** How long an incident (button) counts as lasting. */
  incidentFrames: number;
}

export type TriggerDecision =
  /** A new clip: copy `preFrames` of pre-trigger audio into it first. */
  | { action: 'start'; preFrames: number }
  /** Joined the clip already recording. */
  | { action: 'join' }
  | { action: 'refuse'; why: string };

type Phase = 'idle' | 'event' | 'post';

export class ClipPlan {
  private phase: Phase = 'idle';
  /** Open events of the clip; an incident's value is frames left, a rule event's is Infinity. */
  private readonly open = new Map<string, number>();
  private eventFrames = 0;
  private postDone = 0;
  /** Frames of the current clip: pre + event + post so far. */
  frames = 0;
  preFrames = 0;
  /** Set by advance() when the clip completed in the frames it took. */
  completed = false;

  constructor(
    private readonly timing: ClipTiming,
    public mode: AudioMode = 'on-event',
  ) {}

  get recording(): boolean {
    return this.phase !== 'idle';
  }

  /** Post-roll frames recorded so far in this clip. */
  get postFrames(): number {
    return this.postDone;
  }

  /** Largest clip in frames: the size a clip buffer must have. */
  get maxFrames(): number {
    return this.timing.preFrames + this.timing.maxEventFrames + this.timing.postFrames;
  }

  trigger(eventId: string, reason: TriggerReason, availablePreFrames: number): TriggerDecision {
    if (this.mode === 'off') return { action: 'refuse', why: 'audio is off for this deployment' };
    if (this.mode === 'button-only' && reason !== 'button') return { action: 'refuse', why: 'audio is button-only for this deployment' };
    const length = reason === 'button' ? this.timing.incidentFrames : Infinity;
    if (this.phase === 'idle') {
      this.open.clear();
      this.open.set(eventId, length);
      this.phase = 'event';
      this.eventFrames = 0;
      this.postDone = 0;
      this.completed = false;
      this.preFrames = Math.min(availablePreFrames, this.timing.preFrames);
      this.frames = this.preFrames;
      return { action: 'start', preFrames: this.preFrames };
    }
    // Joining during post-roll turns the post-roll so far into event audio; past the
    // maximum a joining event cannot lengthen the clip (pre + max + post bounds it).
    const soFar = this.eventFrames + this.postDone;
    if (soFar < this.timing.maxEventFrames) {
      this.open.set(eventId, Math.max(this.open.get(eventId) ?? 0, length));
      this.phase = 'event';
      this.eventFrames = soFar;
      this.postDone = 0;
    }
    return { action: 'join' };
  }

  /** An event of the clip ended: when none is left, post-roll begins. */
  end(eventId: string): void {
    if (!this.open.delete(eventId)) return;
    if (this.phase === 'event' && this.open.size === 0) this.phase = 'post';
  }

  /** Ends the event part now (shutdown, capture discontinuity): post-roll is skipped. */
  cut(): void {
    if (this.phase === 'idle') return;
    this.open.clear();
    this.phase = 'idle';
    this.completed = true;
  }

  /**
   * Of the next `n` captured frames, how many belong to the clip (always a
   * prefix). Sets `completed` when the clip is finished with them.
   */
  advance(n: number): number {
    this.completed = false;
    let take = 0;
    while (this.phase !== 'idle') {
      if (this.phase === 'event') {
        let step = Math.min(n - take, this.timing.maxEventFrames - this.eventFrames);
        for (const left of this.open.values()) if (left < step) step = left;
        this.eventFrames += step;
        take += step;
        for (const [id, left] of this.open) {
          if (left === Infinity) continue;
          if (left - step <= 0) this.open.delete(id);
          else this.open.set(id, left - step);
        }
        if (this.open.size === 0 || this.eventFrames >= this.timing.maxEventFrames) this.phase = 'post';
        else if (take === n) break;
        continue;
      }
      const step = Math.min(n - take, this.timing.postFrames - this.postDone);
      this.postDone += step;
      take += step;
      if (this.postDone === this.timing.postFrames) {
        this.phase = 'idle';
        this.open.clear();
        this.completed = true;
      }
      break;
    }
    this.frames += take;
    return take;
  }
}
