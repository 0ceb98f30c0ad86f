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
  /**
   * The event this one continues: an event still open after MAX_EVENT_SECONDS
   * ends with reason "max-duration" and goes on, with no gap, as a new event
   * naming it here.
   */
  continues: EventId.optional(),
});

/** Longest event one EventEnded body can describe (7 days); longer ones are split into parts (EventStarted.continues). */
export const MAX_EVENT_SECONDS = 7 * 86_400;

export const EventEnded = z.object({
  kind: z.literal('ended'),
  ...RuleRef,
  startedAt: IsoUtcMs,
  endedAt: IsoUtcMs,
  durationSeconds: z.number().nonnegative().max(MAX_EVENT_SECONDS),
  LAeq: Level,
  LAFmax: Level,
  /** LCeq − LAeq over the event: low-frequency content (bass). */
  LCminusLA: z.number().min(-100).max(200).nullable(),
  /** Background LAF90 before the event. */
  backgroundLAF90: Level,
  threshold: z.number().min(-200).max(250),
  clipIds: z.array(z.string().regex(CLIP_ID_PATTERN)).max(100),
  /** Why it ended when not by the levels falling, e.g. "reconfigured", "shutdown", "max-duration" (continued by another event). */
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

/**
 * What the monitor could not keep (issue 18): a span with no level records, or
 * a clip given up, and why. Signed like every other event, so the ingest, the
 * officer and the bundle can say "no data: monitor storage full 02:10–02:40"
 * instead of showing silence.
 */
export const DataGap = z.object({
  kind: z.literal('gap'),
  /** The gap record's own id (made by the device, unique per device). */
  eventId: EventId,
  /** levels: no 1 s records in [from, to); clip: audio of [from, to) not kept. */
  what: z.enum(['levels', 'clip']),
  from: IsoUtcMs,
  to: IsoUtcMs,
  /** storage-full: the disk (or the journal's share of it) was full; write-error: the write failed otherwise. */
  reason: z.enum(['storage-full', 'write-error']),
  detail: z.string().max(500).optional(),
  /** For a clip gap: the clip given up, and the event it belonged to. */
  clipIds: z.array(z.string().regex(CLIP_ID_PATTERN)).max(100),
  relatedEventId: EventId.optional(),
});

/**
 * A calibrator check made by the monitor itself (`earshot-device calibrate`,
 * issue 10): what it read from the calibrator's tone and the fullScaleDb it
 * measures with from then on (DESIGN §2). The deployment and the bundle take
 * the calibration from these signed records, never from typed numbers.
 */
export const CalibrationRecord = z.object({
  kind: z.literal('calibration'),
  eventId: EventId,
  at: IsoUtcMs,
  /** The calibrator's stated level (94.0 dB for an IEC 60942 calibrator). */
  referenceDb: z.number().min(60).max(140),
  /** LAeq of the tone with the previous fullScaleDb. */
  measuredDb: z.number().min(-200).max(250),
  previousFullScaleDb: z.number().min(0).max(250),
  /** The calibration in force from `at` on. */
  fullScaleDb: z.number().min(0).max(250),
  tone: z.object({
    frequencyHz: z.number().min(0).max(100_000),
    /** Max − min of the per-second LAeq over the measured seconds. */
    spreadDb: z.number().nonnegative().max(100),
    seconds: z.number().positive().max(600),
    /** LZeq − LAeq of the tone: low-frequency noise beside it. */
    zMinusADb: z.number().min(-100).max(200).optional(),
  }),
  /** The calibrator, as the installer named it at the check (make, model, serial). */
  calibrator: z.object({ make: z.string().max(64).optional(), model: z.string().max(64).optional(), serial: z.string().max(64).optional() }).optional(),
});

export const EventBody = z.discriminatedUnion('kind', [EventStarted, EventEnded, IncidentPressed, DataGap, CalibrationRecord]);
export type EventBody = z.infer<typeof EventBody>;
export type EventStarted = z.infer<typeof EventStarted>;
export type EventEnded = z.infer<typeof EventEnded>;
export type IncidentPressed = z.infer<typeof IncidentPressed>;
export type DataGap = z.infer<typeof DataGap>;
export type CalibrationRecord = z.infer<typeof CalibrationRecord>;
