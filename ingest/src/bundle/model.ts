/**
 * Everything a court bundle (DESIGN §6) needs, already queried: the bundle
 * modules never touch the database. The database side builds a BundleModel for
 * one case and one period and passes the 1 s level records as an iterable, so a
 * month of them (2.6 M rows) streams through and is never held at once.
 * Times are ISO 8601 UTC with ms; levels are dB (null = digital silence, DESIGN §2).
 */
import { z } from 'zod';
import { CaseRef } from '../cases/reference.ts';
import { DEVICE_ID_PATTERN, EarshotError, EventId, IsoUtcMs, Level, Sha256Hex, describeIssues } from '@earshot/shared';

const Text = z.string().min(1).max(2000);
const Seconds = z.number().nonnegative();
const Db = z.number().min(-200).max(250);
const DeviceId = z.string().regex(DEVICE_ID_PATTERN);
const Interval = z.strictObject({ from: IsoUtcMs, to: IsoUtcMs });
export type Interval = z.infer<typeof Interval>;
const Buf = z.instanceof(Buffer);

export const BundleCase = z.strictObject({
  ref: CaseRef,
  category: Text,
  address: Text,
  officer: z.strictObject({ name: Text, initials: z.string().min(1).max(8) }),
  /** Present only when the officer chose to name the complainant in this bundle. */
  complainant: z.strictObject({ name: Text, contact: Text.optional() }).nullable(),
  openedAt: IsoUtcMs.optional(),
});

/** A calibrator check: the reading of a 94.0 dB / 1 kHz tone (DESIGN §2). */
export const CalibrationCheck = z.strictObject({
  at: IsoUtcMs,
  referenceDb: Db,
  readingDb: Db,
  fullScaleDb: z.number().min(0).max(250),
  by: Text.optional(),
});
export type CalibrationCheck = z.infer<typeof CalibrationCheck>;

export const ClockSync = z.strictObject({
  /** ok: synchronised throughout; degraded: some time unsynchronised or off by > 2 s (issue 4); unknown: no status received. */
  status: z.enum(['ok', 'degraded', 'unknown']),
  maxOffsetMs: z.number().nullable(),
  unsyncedSeconds: Seconds,
});

export const Deployment = z.strictObject({
  deviceId: DeviceId,
  microphone: Text,
  installedAt: IsoUtcMs,
  removedAt: IsoUtcMs.nullable(),
  installedBy: Text,
  removedBy: Text.nullable().optional(),
  calibration: z.strictObject({
    atInstall: CalibrationCheck.nullable(),
    atRemoval: CalibrationCheck.nullable(),
    /** Reading at removal minus reading at install, dB; null unless both exist. */
    driftDb: z.number().nullable(),
  }),
  clockSync: ClockSync,
  /** Within the bundle's period. */
  coverage: z.strictObject({ monitoredSeconds: Seconds, periodSeconds: Seconds, gaps: z.array(Interval) }),
});
export type Deployment = z.infer<typeof Deployment>;

export const Rule = z.strictObject({
  id: z.string().min(1).max(128),
  name: Text,
  /** Plain English, for the method section. */
  description: Text,
  /** A fixed level line drawn on the charts, if the rule has one. */
  thresholdDb: Db.nullable(),
});
export type Rule = z.infer<typeof Rule>;

export const BundleEvent = z.strictObject({
  id: EventId,
  ruleId: z.string().min(1).max(128),
  deviceId: DeviceId,
  start: IsoUtcMs,
  end: IsoUtcMs,
  durationSeconds: Seconds,
  LAeq: Level,
  LAFmax: Level,
  /** Background: LAF90 around the event. */
  LAF90: Level,
  /** Noise Act 1996 s.5 permitted level, where that rule applies. */
  permittedDb: Db.nullable(),
  exceedanceDb: z.number().nullable(),
});
export type BundleEvent = z.infer<typeof BundleEvent>;

/**
 * A level line a rule applied over [from, to) on one monitor (issue 10 item 7):
 * the threshold in force from the rules' history for fixed-threshold rules, or
 * the threshold each event was judged against for rules whose level moves
 * (Noise Act permitted level, background-relative). Charts draw these, never today's rules.
 */
export const ThresholdSegment = z.strictObject({
  deviceId: DeviceId,
  ruleId: z.string().min(1).max(128),
  /** Plain-English name of the line, e.g. "Noise Act permitted level". */
  label: Text,
  from: IsoUtcMs,
  to: IsoUtcMs,
  thresholdDb: Db,
  /** The level the line is drawn against (LAeq for most rules, LAFmax for the impulsive rule). */
  metric: z.enum(['LAeq', 'LAFmax', 'LCminusLA']),
});
export type ThresholdSegment = z.infer<typeof ThresholdSegment>;

/** One chart: a night (or day) of downsampled levels; `t` epoch ms of each point. */
export const LevelSeries = z
  .strictObject({
    label: Text,
    from: IsoUtcMs,
    to: IsoUtcMs,
    t: z.array(z.number()),
    LAeq: z.array(Level),
    LAFmax: z.array(Level),
  })
  .refine((s) => s.t.length === s.LAeq.length && s.t.length === s.LAFmax.length, 't, LAeq and LAFmax of equal length');
export type LevelSeries = z.infer<typeof LevelSeries>;

export const DiaryEntry = z.strictObject({
  id: z.string().min(1).max(128),
  /** When the resident says it happened. */
  at: IsoUtcMs,
  text: z.string().max(10_000),
  /** What the monitor measured around `at` (null: nothing measured then). */
  /** LA90 here is of the stored 1 s LAeq values (10 ms F levels are not sent), not LAF90. */
  measured: z.strictObject({ window: Interval, LAeq: Level, LAFmax: Level, LA90: Level }).nullable(),
});
export type DiaryEntry = z.infer<typeof DiaryEntry>;

export const ExhibitClip = z.strictObject({
  clipId: z.string().min(1).max(128),
  eventId: EventId.nullable(),
  /** The stored clip (WAV) on disk. */
  path: z.string().min(1),
  start: IsoUtcMs,
  durationSeconds: Seconds,
  sha256: Sha256Hex,
});
export type ExhibitClip = z.infer<typeof ExhibitClip>;

/** The evidence log extract, as ingest/src/evidence's encodeBundleEvidence takes it. */
export const BundleEvidenceInput = z.strictObject({
  leaves: z.array(z.strictObject({ leafIndex: z.number().int().nonnegative(), leaf: Buf, auditPath: z.array(Buf) })),
  sth: z.strictObject({ bytes: Buf, signature: Buf }),
  publicKeyPem: z.string().min(1),
});

/** One 1 s level record (or a compacted longer one, `d` > 1) for data/levels.csv. */
export interface LevelRow {
  /** Interval start, epoch ms UTC. */
  readonly t: number;
  readonly d: number;
  readonly deviceId: string;
  readonly LAeq: number | null;
  readonly LCeq: number | null;
  readonly LZeq: number | null;
  readonly LAFmax: number | null;
  readonly LAFmin: number | null;
  readonly LASmax: number | null;
  readonly LCpeak: number | null;
}

export const BundleModel = z
  .strictObject({
    case: BundleCase,
    period: Interval,
    generatedAt: IsoUtcMs,
    deployments: z.array(Deployment),
    rules: z.array(Rule),
    /** Threshold lines for the charts, per monitor and period (issue 10 item 7). */
    thresholds: z.array(ThresholdSegment),
    events: z.array(BundleEvent),
    /** Night (or day) charts in time order. */
    series: z.array(LevelSeries),
    diary: z.array(DiaryEntry),
    exhibits: z.array(ExhibitClip),
    evidence: BundleEvidenceInput,
    /** How many rows levelRows() yields (for progress; 0 = no measurements). */
    levelCount: z.number().int().nonnegative(),
  })
  .refine((m) => Date.parse(m.period.from) < Date.parse(m.period.to), { message: 'period.from must be before period.to', path: ['period'] });
export type BundleModel = z.infer<typeof BundleModel>;

/** What write-bundle takes: the model and the level records, streamed. */
export interface BundleSource {
  readonly model: BundleModel;
  levelRows(): Iterable<LevelRow> | AsyncIterable<LevelRow>;
}

/** Validates a model at the boundary; throws EARSHOT_E_BUNDLE_MODEL_INVALID. */
export function parseBundleModel(input: unknown): BundleModel {
  const r = BundleModel.safeParse(input);
  if (!r.success) throw new EarshotError('EARSHOT_E_BUNDLE_MODEL_INVALID', describeIssues(r.error));
  return r.data;
}
