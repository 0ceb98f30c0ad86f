/**
 * Body of earshot/v1/<id>/event (DESIGN §4): an event started (published at once,
 * so an officer can be alerted live), an event ended (with its statistics and
 * clip ids), or the resident's incident button pressed.
 */
import { z } from 'zod';
import { IsoUtcMs } from '../envelope.ts';
import { CLIP_ID_PATTERN } from '../topics.ts';
import { EventId, Level } from './common.ts';

const RuleRef = {
  eventId: EventId,
  ruleId: z.string().min(1).max(64),
  ruleType: z.string().min(1).max(64),
};

export const EventStarted = z.object({
  kind: z.literal('started'),
  ...RuleRef,
  startedAt: IsoUtcMs,
  /** The level that crossed the threshold, and the threshold (dB). */
  level: Level,
  threshold: z.number().min(-200).max(250),
});

export const EventEnded = z.object({
  kind: z.literal('ended'),
  ...RuleRef,
  startedAt: IsoUtcMs,
  endedAt: IsoUtcMs,
  durationSeconds: z.number().nonnegative().max(7 * 86_400),
  LAeq: Level,
  LAFmax: Level,
  /** LCeq − LAeq over the event: low-frequency content (bass). */
  LCminusLA: z.number().min(-100).max(200).nullable(),
  /** Background LAF90 before the event. */
  backgroundLAF90: Level,
  threshold: z.number().min(-200).max(250),
  clipIds: z.array(z.string().regex(CLIP_ID_PATTERN)).max(100),
  /** Why it ended when not by the levels falling, e.g. "reconfigured", "shutdown". */
  reason: z.string().max(64).optional(),
});

export const IncidentPressed = z.object({
  kind: z.literal('incident'),
  eventId: EventId,
  at: IsoUtcMs,
  /** What marked it: the monitor's button, or the resident's app. */
  source: z.enum(['button', 'app']),
  clipIds: z.array(z.string().regex(CLIP_ID_PATTERN)).max(100),
  LAeq: Level.optional(),
});

export const EventBody = z.discriminatedUnion('kind', [EventStarted, EventEnded, IncidentPressed]);
export type EventBody = z.infer<typeof EventBody>;
export type EventStarted = z.infer<typeof EventStarted>;
export type EventEnded = z.infer<typeof EventEnded>;
export type IncidentPressed = z.infer<typeof IncidentPressed>;
