/** Requests and responses of the officer API (issue 5), as zod schemas. */
import { z } from 'zod';
import { CaseRef } from '../cases/reference.ts';
import { MAX_WIDTH } from '../timeline/case-timeline.ts';
import { Role } from '../users/user-input.ts';

const Instant = z.iso.datetime({ offset: true });
const Iso = z.string();
const Db = z.number().nullable();

export const LoginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const CaseParams = z.strictObject({ ref: CaseRef });
export const TimelineQuery = z.strictObject({
  from: Instant,
  to: Instant,
  width: z.coerce.number().int().min(1).max(MAX_WIDTH).default(1000),
});
export const ClipParams = z.strictObject({ device: z.string().regex(/^[a-z0-9-]{3,64}$/), clipId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });
export const SignedQuery = z.object({ u: z.string().optional(), exp: z.string().optional(), sig: z.string().optional(), s: z.string().max(64).optional() });
export const BundleBody = z.strictObject({
  from: Instant,
  to: Instant,
  /** Exhibit initials; the officer's own by default. */
  initials: z.string().regex(/^[A-Z]{2,4}$/, '2–4 capital letters, e.g. JS').optional(),
  includeComplainant: z.boolean().default(false),
});
export const JobParams = z.strictObject({ id: z.uuid() });

export const UserOut = z.strictObject({ username: z.string(), displayName: z.string(), initials: z.string(), role: Role });
export const LoginOut = z.strictObject({ token: z.string(), expiresAt: Iso, user: UserOut });

export const CaseListItem = z.strictObject({
  ref: z.string(),
  status: z.enum(['open', 'inactive', 'closed']),
  category: z.enum(['high-risk', 'general']),
  officer: z.string(),
  address: z.string().nullable(),
  openedAt: Iso,
  lastEvidenceAt: Iso.nullable(),
  /** Whole days since the latest event, clip, incident mark or diary entry; null when there is none. */
  daysSinceLastEvidence: z.number().int().nullable(),
  responseDueAt: Iso,
  responseDueDate: z.string(),
  responseOverdue: z.boolean(),
});
export const CaseListOut = z.strictObject({ cases: z.array(CaseListItem) });

export const CaseOut = CaseListItem.extend({
  history: z.array(z.strictObject({ at: Iso, action: z.string(), by: z.string(), reason: z.string().nullable(), leafIndex: z.number() })),
  deployments: z.array(z.strictObject({
    deploymentId: z.number(), deviceId: z.string(), from: Iso, to: Iso.nullable(), audioMode: z.string(),
    driftDb: z.number().nullable(),
    installedBy: z.string(), removedBy: z.string().nullable(),
    /** The monitor's own signed calibration at installation (reading of the calibrator, dB), if it sent one. */
    calibrationAtInstall: z.strictObject({ at: Iso, referenceDb: z.number(), measuredDb: z.number(), fullScaleDb: z.number() }).nullable(),
    position: z.record(z.string(), z.unknown()).nullable(),
  })),
  /** A sensible first view: the last 7 days of monitoring, or the case's lifetime if shorter. */
  suggestedPeriod: z.strictObject({ from: Iso, to: Iso }),
  /** Issue 12: the assigned account's display name, the contact clocks and the officer's records. */
  officerName: z.string(),
  firstContactAt: Iso.nullable(),
  lastContactAt: Iso.nullable(),
  responseTarget: z.enum(['met', 'missed', 'pending']),
  nextContactDueAt: Iso.nullable(),
  contactOverdue: z.boolean(),
  contacts: z.array(z.strictObject({ id: z.number(), at: Iso, method: z.string(), by: z.string(), byName: z.string(), summary: z.string().nullable(), leafIndex: z.number() })),
  plan: z.array(z.strictObject({ id: z.number(), at: Iso, by: z.string(), byName: z.string(), text: z.string().nullable(), leafIndex: z.number() })),
  diary: z.array(z.strictObject({
    id: z.number(), startedAt: Iso, endedAt: Iso.nullable(), source: z.string(), heard: z.string().nullable(), effect: z.string().nullable(),
    recordedBy: z.string().nullable(), createdAt: Iso.nullable(), leafIndex: z.number(),
    correctedBy: z.strictObject({ replacementId: z.number(), by: z.string(), byName: z.string(), reason: z.string(), at: Iso }).nullable(),
    corrects: z.number().nullable(),
  })),
  monitors: z.array(z.record(z.string(), z.unknown())),
});

const Series = z.strictObject({
  deviceId: z.string(),
  LAeq: z.array(Db), LAFmax: z.array(Db), LAFmin: z.array(Db), LA90: z.array(Db), seconds: z.array(z.number()),
});

export const TimelineOut = z.strictObject({
  caseRef: z.string(),
  from: Iso,
  to: Iso,
  bucket: z.strictObject({ stepSeconds: z.number(), t: z.array(z.number()) }),
  levels: z.array(Series),
  la90Basis: z.string(),
  deployments: z.array(z.strictObject({ deploymentId: z.number(), deviceId: z.string(), from: Iso, to: Iso.nullable() })),
  nights: z.array(z.strictObject({ from: Iso, to: Iso })),
  events: z.array(z.strictObject({
    eventId: z.string(), deviceId: z.string(), kind: z.enum(['event', 'incident']), ruleId: z.string().nullable(), ruleType: z.string().nullable(),
    start: Iso, end: Iso.nullable(), durationSeconds: z.number().nullable(), LAeq: Db, LAFmax: Db, LCminusLA: z.number().nullable(), backgroundLAF90: Db, threshold: Db,
    clipIds: z.array(z.string()), leafIndex: z.number().nullable(), clockFlag: z.string().nullable(),
  })),
  clips: z.array(z.strictObject({
    deviceId: z.string(), clipId: z.string(), eventId: z.string(), start: Iso, durationSeconds: z.number(), sha256: z.string(), bytes: z.number(),
    state: z.enum(['incomplete', 'complete', 'corrupt']), leafIndex: z.number().nullable(),
    /** Signed URL for an <audio> element (signed-url.ts); null until the clip is complete. */
    url: z.string().nullable(),
  })),
  diary: z.array(z.strictObject({ id: z.number(), start: Iso, end: Iso.nullable(), heard: z.string().nullable(), leafIndex: z.number() })),
  /** The monitors' signed gap records (shared DataGap): "no data" on the chart. */
  gaps: z.array(z.strictObject({
    id: z.string(), deviceId: z.string(), what: z.enum(['levels', 'clip']), from: Iso, to: Iso, reason: z.enum(['storage-full', 'write-error']),
    detail: z.string().nullable(), clockFlag: z.string().nullable(), leafIndex: z.number().nullable(),
  })),
  thresholds: z.array(z.strictObject({ ruleId: z.string(), ruleType: z.string(), thresholdDb: z.number() })),
});

export const JobOut = z.strictObject({
  id: z.string(),
  caseRef: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  /** 0 to 1. */
  progress: z.number().min(0).max(1),
  stage: z.string().nullable(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  /** Signed download link once done. */
  downloadUrl: z.string().nullable(),
});
