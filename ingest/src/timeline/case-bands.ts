/**
 * The 1/3-octave bands of one case (issue 16), as the web view's spectrogram and
 * event spectrum read them: the case's deployments give (device, from, to)
 * ranges, as for the level timeline (case-timeline.ts), and the same period and
 * width give the same bucket grid as the level chart, so the two line up.
 */
import { EarshotError, EventBody, NOMINAL_THIRD_OCTAVES, type NominalThirdOctave } from '@earshot/shared';
import { listDeploymentsSteps } from '../cases/deployments.ts';
import { requireCaseStep } from '../cases/case-row.ts';
import { type Steps, all } from '../storage/record/steps.ts';
import { bucketHead } from './buckets.ts';
import { type BandSums, bandSpan, bandSumsSteps, bucketLevels } from './band-series.ts';
import { deployedRanges } from './case-ranges.ts';
import { casePeriodSteps } from './case-timeline.ts';
import { type EventSpectrum, spectrumSteps } from './event-spectrum.ts';
import { evidenceItemsSteps } from './evidence-items.ts';
import { BACKGROUND_RULE, LOOKBACK_MS, type Span } from './quiet-before.ts';

/** Most buckets of one bands request: 4 000 × 34 bands (a wide screen at 2 px a column). */
export const MAX_BAND_WIDTH = 4_000;
/** An incident mark is an instant: its spectrum is that of the minute from the press. */
export const INCIDENT_SPECTRUM_MS = 60_000;

export interface CaseBandsRequest {
  readonly caseRef: string;
  readonly from: number;
  readonly to: number;
  readonly width: number;
}

export interface CaseBands {
  readonly caseRef: string;
  readonly from: string;
  readonly to: string;
  readonly bucket: { readonly stepSeconds: number; readonly t: number[] };
  /** Nominal midbands of every row of levels: the lowest to the highest band measured in the response. */
  readonly bands: NominalThirdOctave[];
  /** Per device, per bucket: the energy mean of each band (dB(Z) to 0.1, null where not measured), or null for a bucket without bands. */
  readonly devices: { readonly deviceId: string; readonly levels: ((number | null)[] | null)[] }[];
}

export interface CaseEventSpectrum extends EventSpectrum {
  readonly caseRef: string;
  readonly deviceId: string;
  readonly eventId: string;
  readonly kind: 'event' | 'incident';
  readonly ruleId: string | null;
  readonly ruleType: string | null;
  /** How the background was chosen, in words. */
  readonly backgroundRule: string;
}

const DAY_MS = 86_400_000;

const EVENT_ROWS_SQL = "SELECT body FROM events WHERE case_ref = ? AND device = ? AND event_id = ? ORDER BY kind = 'ended', seq";

/** The bands of a case over a period. Throws EARSHOT_E_CASE_NOT_FOUND or EARSHOT_E_HTTP_PERIOD_INVALID. */
export function* caseBandsSteps(req: CaseBandsRequest, nowMs: number): Steps<CaseBands> {
  const { grid, ranges } = yield* casePeriodSteps(req, nowMs, (width) => {
    if (width > MAX_BAND_WIDTH) throw new EarshotError('EARSHOT_E_HTTP_PERIOD_INVALID', `width must be a whole number from 1 to ${MAX_BAND_WIDTH} for bands`);
  });
  const sums: BandSums[] = [];
  for (const [device, r] of ranges) sums.push(yield* bandSumsSteps(device, r, grid));
  let lo = -1;
  let hi = -1;
  for (const s of sums) {
    const [a, b] = bandSpan(s.seconds);
    if (a < 0) continue;
    lo = lo < 0 ? a : Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  const head = bucketHead(req, grid);
  const t = head.bucket.t;
  return {
    ...head,
    bands: lo < 0 ? [] : NOMINAL_THIRD_OCTAVES.slice(lo, hi + 1),
    devices: sums.map((s) => ({ deviceId: s.deviceId, levels: t.map((_, b) => bucketLevels(s.energy, s.seconds, b, lo, hi)) })),
  };
}

/** An event's spectrum against the quiet before it. Throws EARSHOT_E_CASE_NOT_FOUND, or EARSHOT_E_HTTP_NOT_FOUND for an event not in the case. */
export function* eventSpectrumSteps(caseRef: string, deviceId: string, eventId: string, nowMs: number): Steps<CaseEventSpectrum> {
  yield* requireCaseStep(caseRef);
  let found: { kind: 'event' | 'incident'; start: number; end: number | null; ruleId: string | null; ruleType: string | null } | undefined;
  for (const r of yield* all<{ body: string }>(EVENT_ROWS_SQL, caseRef, deviceId, eventId)) {
    const b = EventBody.safeParse(JSON.parse(r.body));
    if (!b.success) continue;
    const e = b.data;
    if (e.kind === 'started') found = { kind: 'event', start: Date.parse(e.startedAt), end: null, ruleId: e.ruleId, ruleType: e.ruleType };
    else if (e.kind === 'ended') found = { kind: 'event', start: Date.parse(e.startedAt), end: Date.parse(e.endedAt), ruleId: e.ruleId, ruleType: e.ruleType };
    else if (e.kind === 'incident') found = { kind: 'incident', start: Date.parse(e.at), end: Date.parse(e.at) + INCIDENT_SPECTRUM_MS, ruleId: null, ruleType: null };
  }
  if (found === undefined) throw new EarshotError('EARSHOT_E_HTTP_NOT_FOUND', `no event ${eventId} of monitor ${deviceId} in case ${caseRef}`);
  const deployments = yield* listDeploymentsSteps({ caseRef });
  const available = deployedRanges(deployments, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, nowMs).get(deviceId) ?? [];
  // An open event reaches to the end of the deployment it started in, or now.
  const start = found.start;
  const end = found.end ?? Math.max(start, available.find((a) => a.from <= start && start < a.to)?.to ?? nowMs);
  const others = (yield* evidenceItemsSteps(caseRef, start - LOOKBACK_MS - DAY_MS, end + DAY_MS)).events;
  const busy: Span[] = others
    .filter((e) => e.kind === 'event' && e.deviceId === deviceId && e.eventId !== eventId)
    .map((e) => ({ from: Date.parse(e.start), to: e.end === null ? Number.MAX_SAFE_INTEGER : Date.parse(e.end) }));
  return {
    caseRef, deviceId, eventId, kind: found.kind, ruleId: found.ruleId, ruleType: found.ruleType,
    ...(yield* spectrumSteps({ deviceId, from: start, to: end, available, busy })),
    backgroundRule: BACKGROUND_RULE,
  };
}
