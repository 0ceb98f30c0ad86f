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
import type { BandsCsvSource } from './bands-csv.ts';
import { LowFrequencySection } from './low-frequency-model.ts';

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
  /** What the monitor read of the calibrator, at the calibration in force before the check (`previousFullScaleDb`). */
  readingDb: Db,
  /** The calibration the monitor measured with from this check on. */
  fullScaleDb: z.number().min(0).max(250),
  by: Text.optional(),
  /** The monitor's own signed record (issue 10): the calibration before it, the tone, the calibrator, its evidence-log leaf. */
  previousFullScaleDb: z.number().min(0).max(250).optional(),
  tone: z.strictObject({ frequencyHz: z.number(), spreadDb: z.number(), seconds: z.number() }).optional(),
  calibrator: Text.optional(),
  leafIndex: z.number().int().nonnegative().nullable().optional(),
});
export type CalibrationCheck = z.infer<typeof CalibrationCheck>;

/** The fullScaleDb a monitor measured with over [from, to) (from its level records and heartbeats, issue 10). */
export const FullScalePeriod = z.strictObject({
  from: IsoUtcMs,
  to: IsoUtcMs,
  fullScaleDb: z.number().min(0).max(250),
  /** levels: stated in the monitor's level batches; status: only in its heartbeats (no level records then). */
  source: z.enum(['levels', 'status']),
});
export type FullScalePeriod = z.infer<typeof FullScalePeriod>;

/** One component of the measurement-uncertainty budget (GUM JCGM 100:2008). */
export const UncertaintyComponent = z.strictObject({
  name: Text,
  /** Half-width of the tolerance (± dB) the component is taken from, and its distribution. */
  halfWidthDb: z.number().nonnegative(),
  distribution: z.enum(['rectangular', 'normal']),
  standardDb: z.number().nonnegative(),
  source: Text,
});

/** The equipment record a defence expert needs (issue 10), entered at `deploy start`; null fields were not stated. */
export const Equipment = z.strictObject({
  monitor: z.strictObject({ model: Text.nullable(), serial: Text.nullable(), software: Text, conformance: Text }),
  microphone: z.strictObject({ make: Text.nullable(), model: Text.nullable(), class: Text.nullable(), toleranceDb: z.number().nullable() }),
  calibrator: z.strictObject({
    make: Text.nullable(), model: Text.nullable(), serial: Text.nullable(), class: Text.nullable(), certificate: Text.nullable(), labCalibratedOn: Text.nullable(),
  }),
  position: z.strictObject({ room: Text.nullable(), heightM: z.number().nullable(), partyWallM: z.number().nullable(), windows: Text.nullable(), note: Text.nullable() }),
  uncertainty: z.strictObject({ components: z.array(UncertaintyComponent), combinedDb: z.number(), expandedDb: z.number(), coverageFactor: z.number() }),
});
export type Equipment = z.infer<typeof Equipment>;

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
    /** Change in the monitor's reading of the calibrator from install to removal at one calibration, dB; null unless both exist. */
    driftDb: z.number().nullable(),
    /** Checks made during the deployment besides those two (a recalibration mid-deployment). */
    during: z.array(CalibrationCheck).optional(),
    /** What the installer typed at `deploy start` / `deploy end` (a note, never the figure). */
    installerNotes: z.array(Text).optional(),
  }),
  /** The calibration the monitor measured with over each part of the deployment in the period (issue 10). */
  fullScale: z.array(FullScalePeriod).optional(),
  /** Changes and mismatches of the calibration during the deployment, in plain English. */
  calibrationFlags: z.array(Text).optional(),
  equipment: Equipment.optional(),
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
  /** When these settings were in force on each monitor (from the configs the ingest published and the monitor accepted, issue 10). */
  inForce: z.array(z.strictObject({ deviceId: DeviceId, from: IsoUtcMs, to: IsoUtcMs, configVersion: z.number().int(), confirmed: z.boolean() })).optional(),
  /** Set when the rule's settings changed during the period: what changed, in plain English. */
  changed: Text.optional(),
});
export type Rule = z.infer<typeof Rule>;

/** Why a record's device time is not to be trusted to 2 s (store/status.ts clockFlag); null when synced within 2 s. */
export const ClockFlag = z.enum(['no-heartbeat', 'sync-unknown', 'unsynchronised', 'offset-unknown', 'offset-over-2s', 'implausible-time']).nullable();
export type ClockFlag = z.infer<typeof ClockFlag>;

export const BundleEvent = z.strictObject({
  id: EventId,
  /** A rule's event, or the resident's incident button ('incident-button' as ruleId). */
  kind: z.enum(['event', 'incident']),
  ruleId: z.string().min(1).max(128),
  deviceId: DeviceId,
  /**
   * ended: its end arrived; ongoing: still open at the end of the period (DESIGN §6:
   * no end_utc), its levels those of the 1 s records so far; instant: a button press.
   */
  state: z.enum(['ended', 'ongoing', 'instant']),
  start: IsoUtcMs,
  /** When it ended; for `ongoing` the end of the period (how far its levels reach); for `instant` its start. */
  end: IsoUtcMs,
  /** end − start as the device reported it (ongoing: so far, to the end of the period). */
  durationSeconds: Seconds,
  LAeq: Level,
  LAFmax: Level,
  /** Background: LAF90 around the event. */
  LAF90: Level,
  /** Noise Act 1996 s.5 permitted level, where that rule applies. */
  permittedDb: Db.nullable(),
  exceedanceDb: z.number().nullable(),
  /** The threshold the monitor judged the event against (its rule's, or the permitted level it computed). */
  thresholdDb: Db.nullable(),
  /** The event's level in its rule's measure (LAeq; LAFmax for impulsive; LCeq − LAeq for bass) minus thresholdDb. */
  overByDb: z.number().nullable(),
  clockFlag: ClockFlag,
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

/** One chart: a night (or day) of one monitor's downsampled levels; `t` epoch ms of each point. */
export const LevelSeries = z
  .strictObject({
    /** Its title and bookmark (chartTitle: what the chart shows, in words). */
    label: Text,
    /** The monitor measured (issue 10 item 6: each monitor its own chart and colour). */
    deviceId: DeviceId,
    from: IsoUtcMs,
    to: IsoUtcMs,
    t: z.array(z.number()),
    LAeq: z.array(Level),
    LAFmax: z.array(Level),
  })
  .refine((s) => s.t.length === s.LAeq.length && s.t.length === s.LAFmax.length, 't, LAeq and LAFmax of equal length');
export type LevelSeries = z.infer<typeof LevelSeries>;

/** One monitor's levels over a diary entry's time; LA90 is of the stored 1 s LAeq values (10 ms F levels are not sent), not LAF90. */
export const DiaryMeasured = z.strictObject({ deviceId: DeviceId, window: Interval, LAeq: Level, LAFmax: Level, LA90: Level });
export type DiaryMeasured = z.infer<typeof DiaryMeasured>;

export const DiaryEntry = z.strictObject({
  id: z.string().min(1).max(128),
  /** When the resident says it happened. */
  at: IsoUtcMs,
  /** When they say it stopped, if they said. */
  end: IsoUtcMs.optional(),
  text: z.string().max(10_000),
  /**
   * What each of the case's monitors measured over the time the resident gave (at–end, or 10 minutes
   * centred on `at`), one entry per monitor that has records then, by device id (issue 10 item 6: two
   * monitors are never pooled into one figure); empty: nothing measured then.
   */
  measured: z.array(DiaryMeasured),
  /**
   * Issue 13: who made it — the resident on their phone at the time (contemporaneous), an officer
   * entering it later, or an import; absent: an officer's entry (bundles before issue 13).
   */
  source: z.enum(['resident', 'officer', 'import']).optional(),
  /** When the resident wrote it (their phone's clock), for entries sent from the phone. */
  writtenAt: IsoUtcMs.optional(),
  /** When the service received it: the time its evidence leaf was sealed. */
  receivedAt: IsoUtcMs.optional(),
  /** writtenAt and receivedAt more than 10 minutes apart (sent later, e.g. queued offline, or the phone's clock off). */
  delayed: z.boolean().optional(),
  /** SHA-256 of the phone recording sent with it (a PhoneRecording exhibit: not calibrated, supporting only). */
  recordingSha256: Sha256Hex.optional(),
});
export type DiaryEntry = z.infer<typeof DiaryEntry>;

/**
 * A phone recording the resident sent with a diary entry (issue 13): an exhibit of its own, proved
 * by the diary entry's evidence leaf (which names its SHA-256), never calibrated: supporting only.
 */
export const PhoneRecording = z.strictObject({
  /** The diary entry it came with (DiaryEntry.id). */
  diaryId: z.string().min(1).max(128),
  /** The stored file on disk. */
  path: z.string().min(1),
  sha256: Sha256Hex,
  mediaType: z.enum(['audio/webm', 'audio/ogg', 'audio/mp4', 'audio/wav']),
  bytes: z.number().int().nonnegative(),
  /** When the resident made it (the entry's writtenAt, else its receipt). */
  at: IsoUtcMs,
});
export type PhoneRecording = z.infer<typeof PhoneRecording>;

export const ExhibitClip = z.strictObject({
  clipId: z.string().min(1).max(128),
  /** The monitor that recorded it: an exhibit covers that monitor's events in its time (issue 10 item 5). */
  deviceId: DeviceId,
  eventId: EventId.nullable(),
  /** The stored clip (WAV) on disk. */
  path: z.string().min(1),
  start: IsoUtcMs,
  durationSeconds: Seconds,
  sha256: Sha256Hex,
  /** The calibration the clip was recorded with (its signed manifest), to reproduce its levels with `earshot-device analyze`. */
  fullScaleDb: z.number().min(0).max(250).optional(),
});
export type ExhibitClip = z.infer<typeof ExhibitClip>;

/**
 * What a monitor could not keep (its signed gap record, shared DataGap): no 1 s
 * records over [from, to) (`levels`), or a clip's audio given up (`clip`).
 */
export const DataGapRecord = z.strictObject({
  id: EventId,
  deviceId: DeviceId,
  what: z.enum(['levels', 'clip']),
  from: IsoUtcMs,
  to: IsoUtcMs,
  reason: z.enum(['storage-full', 'write-error']),
  detail: z.string().max(500).nullable(),
  clockFlag: ClockFlag,
});
export type DataGapRecord = z.infer<typeof DataGapRecord>;

/**
 * One night (23:00–07:00 UK time, Noise Act 1996 s.2(6)) of one monitor, for the
 * nights summary and data/nights.csv (DESIGN §6; export/nights.ts). deviceId null:
 * no monitor was deployed for the case that night.
 */
export const NightSummary = z.strictObject({
  /** The UK date the night starts on. */
  nightOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  deviceId: DeviceId.nullable(),
  /** 23:00 and 07:00 UK time (7, 8 or 9 hours apart). */
  start: IsoUtcMs,
  end: IsoUtcMs,
  /** Seconds of the night inside the period. */
  nightSeconds: Seconds,
  /** Seconds of level records wholly inside the night (and period). */
  monitoredSeconds: Seconds,
  coveragePct: z.number().min(0).max(100),
  /** Rule events starting in the night (button presses not counted: `incidents`). */
  events: z.number().int().nonnegative(),
  eventsByRule: z.record(z.string(), z.number().int().nonnegative()),
  incidents: z.number().int().nonnegative(),
  /** Clock-aligned 5-minute periods whose LAeq exceeded the permitted level of the same night. */
  noiseActExceedances: z.number().int().nonnegative(),
  periodsAssessed: z.number().int().nonnegative(),
  worstLAeq: Level,
  /** Largest LAeq,5min − permitted level (negative: the closest it came). */
  worstOverByDb: z.number().nullable(),
  LAFmaxMax: Level,
  /** Events whose LAFmax was above 45 dB (WHO night guideline). */
  eventsLAFmaxOver45: z.number().int().nonnegative(),
  diaryEntries: z.number().int().nonnegative(),
  /** The Noise Act figures applied (the monitor's rule, else the England Directions 2008). */
  noiseAct: z.strictObject({ permittedLevelDb: Db, underlyingLimitDb: Db, excessDb: z.number(), windowSeconds: z.number().int().positive(), underlyingWindowSeconds: z.number().int().positive() }),
});
export type NightSummary = z.infer<typeof NightSummary>;

/** One contact with the complainant (issue 12 contact log), in the officer's words. */
export const ContactEntry = z.strictObject({
  at: IsoUtcMs,
  method: z.enum(['visit', 'phone', 'email', 'letter', 'text']),
  /** The officer's summary; null once removed under the retention policy. */
  summary: z.string().max(4000).nullable(),
  /** The officer's name (the account that recorded it). */
  by: Text,
  leafIndex: z.number().int().nonnegative(),
});
export type ContactEntry = z.infer<typeof ContactEntry>;

/** The contact log in the period, and the response target (landlord ASB policy, issue 4/12) as at the bundle's making. */
export const ContactLog = z.strictObject({
  /** First contact due by (the category's response target). */
  responseDueAt: IsoUtcMs,
  /** The case's first contact ever (it may be before the period); null: none yet. */
  firstContactAt: IsoUtcMs.nullable(),
  responseTarget: z.enum(['met', 'missed', 'pending']),
  /** Contacts within the period, in time order. */
  entries: z.array(ContactEntry),
  /** The complainant's name or contact details were found in a summary and withheld (the bundle does not name them). */
  withheld: z.boolean(),
});
export type ContactLog = z.infer<typeof ContactLog>;

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
  /** The device clock at the time (from its heartbeats, export/clock-sync.ts); null or absent when synced within 2 s. */
  readonly clockFlag?: ClockFlag;
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
    /** The monitors' own gap records in the period, in time order (issue 10). */
    gaps: z.array(DataGapRecord),
    /** The nights summary (issue 10), night by night and monitor by monitor. */
    nights: z.array(NightSummary),
    /** Night (or day) charts in time order. */
    series: z.array(LevelSeries),
    diary: z.array(DiaryEntry),
    exhibits: z.array(ExhibitClip),
    /** The contact log in the period (issue 12); absent from bundles made before it. */
    contacts: ContactLog.optional(),
    /** Phone recordings sent with diary entries in the period (issue 13), exhibits after the clips. */
    phoneRecordings: z.array(PhoneRecording).optional(),
    evidence: BundleEvidenceInput,
    /** How many rows levelRows() yields (for progress; 0 = no measurements). */
    levelCount: z.number().int().nonnegative(),
    /** A deployment's own leaf says demonstration data (ingest/src/cases/demonstration.ts): every page and CSV row says so. */
    demonstration: z.literal(true).optional(),
    /** Issue 16: the low-frequency section, when the period has events of the low-frequency rule (low-frequency-model.ts). */
    lowFrequency: LowFrequencySection.optional(),
  })
  .refine((m) => Date.parse(m.period.from) < Date.parse(m.period.to), { message: 'period.from must be before period.to', path: ['period'] });
export type BundleModel = z.infer<typeof BundleModel>;

/** What write-bundle takes: the model and the level records, streamed. */
export interface BundleSource {
  readonly model: BundleModel;
  levelRows(): Iterable<LevelRow> | AsyncIterable<LevelRow>;
  /**
   * data/levels.csv's bytes for exactly the rows levelRows() yields, when the
   * source can make them faster itself (export/level-csv.ts); otherwise the
   * writer formats levelRows().
   */
  levelsCsv?(): Iterable<Uint8Array>;
  /** Issue 16: data/bands.csv, when the period holds 1/3-octave bands (absent: no such file). */
  readonly bands?: BandsCsvSource;
}

/** Validates a model at the boundary; throws EARSHOT_E_BUNDLE_MODEL_INVALID. */
export function parseBundleModel(input: unknown): BundleModel {
  const r = BundleModel.safeParse(input);
  if (!r.success) throw new EarshotError('EARSHOT_E_BUNDLE_MODEL_INVALID', describeIssues(r.error));
  return r.data;
}
