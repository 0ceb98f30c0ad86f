/** The event bodies (shared/src/schemas/event.ts) of one rule's event; levels rounded to 0.01 dB (DESIGN §3). */
import { round2, type EventEnded, type EventStarted, type RuleType } from '@earshot/shared';
import type { EventLevels } from './event-levels.ts';

/** What is fixed when an event starts. */
export interface OpenEvent {
  eventId: string;
  ruleId: string;
  ruleType: RuleType;
  startMs: number;
  /** The rule's level when it triggered, and the threshold it crossed. */
  level: number | null;
  threshold: number;
  /** LAF90 of the rule's background window before the event. */
  background: number | null;
  /** The event this one continues past MAX_EVENT_SECONDS, or null. */
  continues: string | null;
}

/** Event ids: `<deviceId>-<epoch ms>-<ruleId>`, within EventId (schemas/common.ts). */
export function eventIdOf(deviceId: string, startMs: number, ruleId: string): string {
  return `${deviceId}-${startMs}-${ruleId}`;
}

export function startedBody(e: OpenEvent): EventStarted {
  const body: EventStarted = {
    kind: 'started',
    eventId: e.eventId,
    ruleId: e.ruleId,
    ruleType: e.ruleType,
    startedAt: new Date(e.startMs).toISOString(),
    level: round2(e.level),
    threshold: round2(e.threshold) ?? 0,
  };
  if (e.continues !== null) body.continues = e.continues;
  return body;
}

/** Why an event ended when not by the levels falling (EventEnded.reason). */
export type EndReason = 'reconfigured' | 'shutdown' | 'schedule' | 'max-duration';

export function endedBody(e: OpenEvent, endMs: number, levels: EventLevels, fullScaleDb: number, reason: EndReason | undefined): EventEnded {
  const la = levels.LAeq(fullScaleDb);
  const lc = levels.LCeq(fullScaleDb);
  const body: EventEnded = {
    kind: 'ended',
    eventId: e.eventId,
    ruleId: e.ruleId,
    ruleType: e.ruleType,
    startedAt: new Date(e.startMs).toISOString(),
    endedAt: new Date(endMs).toISOString(),
    durationSeconds: Math.round(endMs - e.startMs) / 1_000,
    LAeq: round2(la),
    LAFmax: round2(levels.LAFmax),
    LCminusLA: la === null || lc === null ? null : round2(lc - la),
    backgroundLAF90: round2(e.background),
    threshold: round2(e.threshold) ?? 0,
    // The daemon fills in the clips it made for this event.
    clipIds: [],
  };
  if (reason !== undefined) body.reason = reason;
  return body;
}
