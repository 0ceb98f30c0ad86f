/**
 * One rule's event lifecycle, stepped once per interval:
 *
 *   idle ──trigger──▶ pending ──held minDurationSeconds──▶ active  ("started" out)
 *   active ──below threshold − hysteresis──▶ closing
 *   closing ──trigger again within mergeGapSeconds──▶ active (one event)
 *   closing ──mergeGapSeconds without a trigger──▶ idle  ("ended" out, cooldown begins)
 *
 * An event starts at the beginning of the interval that triggered it and ends at
 * the beginning of the first interval below the hold level; its levels cover those
 * seconds, merged gaps included. The background (and so a background-relative
 * threshold) is frozen from the trigger to the end, so the event cannot raise its
 * own background. Triggers in a cooldown, or beyond the hourly cap, raise nothing
 * and are counted once per episode (an episode lasts until the level falls below
 * the hold level). Outside its schedule a rule has no reading; an event still open
 * when the schedule closes ends there with reason "schedule".
 *
 * An EventEnded body describes at most MAX_EVENT_SECONDS (7 days). An event still
 * active then is split, not capped: it ends there with reason "max-duration" and
 * goes on at once as a new event whose "started" names it (`continues`), with the
 * same frozen background and threshold, no cooldown and no hourly-cap check —
 * the noise has not stopped, and capping would leave the rest of it unrecorded
 * (or recorded only after a cooldown). One still closing then ends at its fall.
 */
import { type EventEnded, type EventStarted, MAX_EVENT_SECONDS, type Rule } from '@earshot/shared';
import type { IntervalLevels } from '../measure/types.ts';
import { type EndReason, type OpenEvent, endedBody, eventIdOf, startedBody } from './event-bodies.ts';
import { EventLevels } from './event-levels.ts';
import type { Evaluation, RuleCheck } from './evaluation.ts';
import { HourlyCap } from './hourly-cap.ts';
import type { WindowBank } from './windows.ts';

export type RuleOutput = EventStarted | EventEnded;

/** Triggers that raised no event, by cause, since the engine started. */
export interface SuppressedCounts {
  cooldown: number;
  hourlyCap: number;
}

/** Slack for summing durations that are not exact in binary. */
const EPS = 1e-6;
/** shared/src/schemas/event.ts EventEnded.durationSeconds. */
const MAX_EVENT_MS = MAX_EVENT_SECONDS * 1_000;

type Phase = 'idle' | 'pending' | 'active' | 'closing';

export class RuleLifecycle {
  private phase: Phase = 'idle';
  private readonly reading: Evaluation = { level: null, threshold: 0, margin: null };
  private readonly levels = new EventLevels();
  private readonly gap = new EventLevels();
  private readonly cap: HourlyCap;
  private readonly open: OpenEvent;
  private heldSeconds = 0;
  private fallMs = 0;
  private lastEndMs = 0;
  private cooldownUntilMs = Number.NEGATIVE_INFINITY;
  private lastIdMs = Number.NEGATIVE_INFINITY;
  private suppressing = false;

  constructor(
    readonly rule: Rule,
    private readonly check: RuleCheck,
    private readonly deviceId: string,
    private readonly suppressed: SuppressedCounts,
  ) {
    this.cap = new HourlyCap(rule.maxEventsPerHour);
    this.open = { eventId: '', ruleId: rule.id, ruleType: rule.type, startMs: 0, level: null, threshold: 0, background: null, continues: null };
  }

  /** Whether a "started" has gone out and its "ended" has not. */
  get eventOpen(): boolean {
    return this.phase === 'active' || this.phase === 'closing';
  }

  /** The open event's id, or null. */
  get openEventId(): string | null {
    return this.eventOpen ? this.open.eventId : null;
  }

  /** One interval [startMs, endMs); `armed` says whether the schedule covers its start. */
  step(startMs: number, endMs: number, r: IntervalLevels, bank: WindowBank, armed: boolean, fullScaleDb: number, out: RuleOutput[]): void {
    this.lastEndMs = endMs;
    const ev = this.reading;
    const background = this.phase === 'idle' ? bank.LAF90(this.check.backgroundWindow) : this.open.background;
    this.check.evaluate(r, bank, background, ev);
    const m = armed ? ev.margin : null;
    const on = m !== null && (this.check.strict ? m > 0 : m >= 0);
    const hold = m !== null && m >= -this.rule.hysteresisDb;
    if (this.eventOpen && startMs - this.open.startMs >= MAX_EVENT_MS - EPS) {
      if (this.phase === 'closing') {
        this.end(this.fallMs, 'max-duration', fullScaleDb, out);
      } else if (armed) {
        this.split(startMs, fullScaleDb, out);
      }
    }

    switch (this.phase) {
      case 'idle':
        if (!on) {
          if (!hold) this.suppressing = false;
        } else if (startMs < this.cooldownUntilMs) {
          this.suppress('cooldown');
        } else if (this.cap.isFull(startMs)) {
          this.suppress('hourlyCap');
        } else {
          this.suppressing = false;
          this.trigger(startMs, r, background);
          this.startIfHeld(out);
        }
        return;
      case 'pending':
        if (!on) {
          // Fell before the minimum duration: nothing was published.
          this.phase = 'idle';
          return;
        }
        this.levels.add(r);
        this.heldSeconds += r.durationSeconds;
        this.startIfHeld(out);
        return;
      case 'active':
        if (!armed) {
          this.end(startMs, 'schedule', fullScaleDb, out);
        } else if (hold) {
          this.levels.add(r);
        } else {
          this.phase = 'closing';
          this.fallMs = startMs;
          this.gap.reset();
          this.gap.add(r);
          this.endIfGapPassed(endMs, fullScaleDb, out);
        }
        return;
      case 'closing':
        if (on) {
          // A trigger within the merge gap continues the same event.
          this.levels.absorb(this.gap);
          this.levels.add(r);
          this.phase = 'active';
        } else if (!armed) {
          this.end(this.fallMs, undefined, fullScaleDb, out);
        } else {
          this.gap.add(r);
          this.endIfGapPassed(endMs, fullScaleDb, out);
        }
        return;
    }
  }

  /** Ends an open event now (reconfigure, shutdown); drops one still pending. */
  forceEnd(reason: EndReason, fullScaleDb: number, out: RuleOutput[]): void {
    if (this.phase === 'active') this.end(this.lastEndMs, reason, fullScaleDb, out);
    else if (this.phase === 'closing') this.end(this.fallMs, reason, fullScaleDb, out);
    else this.phase = 'idle';
  }

  /**
   * The open event as forceEnd would end it now, without ending it (the
   * daemon's checkpoint of open events, issue 18); null when none is open.
   */
  snapshot(fullScaleDb: number): EventEnded | null {
    if (this.phase === 'active') return endedBody(this.open, this.lastEndMs, this.levels, fullScaleDb, undefined);
    if (this.phase === 'closing') return endedBody(this.open, this.fallMs, this.levels, fullScaleDb, undefined);
    return null;
  }

  /** Ends the active event at `atMs` (7 days after its start) and opens its continuation there. */
  private split(atMs: number, fullScaleDb: number, out: RuleOutput[]): void {
    const e = this.open;
    out.push(endedBody(e, atMs, this.levels, fullScaleDb, 'max-duration'));
    e.continues = e.eventId;
    e.startMs = atMs;
    e.level = this.reading.level;
    this.levels.reset();
    this.assignId();
    this.cap.record(atMs);
    out.push(startedBody(e));
  }

  private assignId(): void {
    const e = this.open;
    // Ids stay unique even if the wall clock is stepped back onto an earlier start.
    const idMs = Math.max(Math.round(e.startMs), this.lastIdMs + 1);
    this.lastIdMs = idMs;
    e.eventId = eventIdOf(this.deviceId, idMs, this.rule.id);
  }

  private trigger(startMs: number, r: IntervalLevels, background: number | null): void {
    const e = this.open;
    e.continues = null;
    e.startMs = startMs;
    e.level = this.reading.level;
    e.threshold = this.reading.threshold;
    e.background = background;
    this.levels.reset();
    this.levels.add(r);
    this.heldSeconds = r.durationSeconds;
    this.phase = 'pending';
  }

  private startIfHeld(out: RuleOutput[]): void {
    if (this.heldSeconds < this.rule.minDurationSeconds - EPS) return;
    const e = this.open;
    this.assignId();
    this.cap.record(e.startMs);
    this.phase = 'active';
    out.push(startedBody(e));
  }

  private endIfGapPassed(endMs: number, fullScaleDb: number, out: RuleOutput[]): void {
    if (endMs - this.fallMs >= this.rule.mergeGapSeconds * 1_000 - EPS) this.end(this.fallMs, undefined, fullScaleDb, out);
  }

  private end(endedAtMs: number, reason: EndReason | undefined, fullScaleDb: number, out: RuleOutput[]): void {
    out.push(endedBody(this.open, endedAtMs, this.levels, fullScaleDb, reason));
    this.phase = 'idle';
    this.suppressing = false;
    this.cooldownUntilMs = this.lastEndMs + this.rule.cooldownSeconds * 1_000;
  }

  private suppress(cause: keyof SuppressedCounts): void {
    if (this.suppressing) return;
    this.suppressing = true;
    this.suppressed[cause]++;
  }
}
