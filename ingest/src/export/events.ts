/**
 * The schedule of events: this case's events and incident marks in the period
 * (rows attached to the case, started and ended joined by event id — the
 * timeline's reader), each stated as the record has it (issue 10):
 * - `ended` with the device's own figures; `instant` for a button press;
 * - `ongoing` when no end arrived: its levels are those of the monitor's 1 s
 *   records from its start to the end of the period (or of the deployment), so
 *   far — never an end equal to its start and "0 s";
 * - the threshold it was judged against and how far over it the event's level
 *   went, in the rule's own measure; the device clock's flag as stored with it;
 * and the monitors' signed gap records beside them.
 */
import type { Db } from '../db/open.ts';
import type { BundleEvent, DataGapRecord } from '../bundle/model.ts';
import { type TimelineEvent, type TimelineGap } from '../timeline/index.ts';
import { createEvidenceItemsReader } from '../timeline/evidence-items.ts';
import { createWindowMeasurer } from './measure-window.ts';
import type { Period } from './period.ts';
import type { DeploymentSpan } from './spans.ts';

/** The rule id shown for incident-button marks (they have no rule). */
export const INCIDENT_RULE_ID = 'incident-button';

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** The level a rule judges (rules/ of the firmware): LAFmax for the impulsive rule, LCeq − LAeq for bass, LAeq otherwise. */
function ruleLevel(ruleType: string | null, LAeq: number | null, LAFmax: number | null, LCminusLA: number | null): number | null {
  if (ruleType === 'impulsive') return LAFmax;
  if (ruleType === 'low-frequency') return LCminusLA;
  return LAeq;
}

/** What an open event's levels reach to: the end of the deployment span it started in, else the period (never past the export). */
function openUntil(e: TimelineEvent, spans: readonly DeploymentSpan[], period: Period, nowMs: number): number {
  const start = Date.parse(e.start);
  const span = spans.find((s) => s.deviceId === e.deviceId && s.from <= start && start < s.to);
  return Math.max(start, span?.to ?? Math.min(period.to, nowMs));
}

export function bundleEvents(db: Db, events: readonly TimelineEvent[], spans: readonly DeploymentSpan[], period: Period, nowMs: number): BundleEvent[] {
  const measure = createWindowMeasurer(db, spans);
  return events.map((e): BundleEvent => {
    const base = { id: e.eventId, deviceId: e.deviceId, start: e.start, clockFlag: e.clockFlag };
    if (e.kind === 'incident') {
      return { ...base, kind: 'incident', ruleId: INCIDENT_RULE_ID, state: 'instant', end: e.start, durationSeconds: 0, LAeq: e.LAeq, LAFmax: null, LAF90: null, permittedDb: null, exceedanceDb: null, thresholdDb: null, overByDb: null };
    }
    const ruleId = e.ruleId ?? 'unknown';
    // The device's threshold for this rule is the permitted level it computed (Permitted Level of Noise (England) Directions 2008).
    const permittedDb = e.ruleType === 'noise-act-night' ? e.threshold : null;
    let state: BundleEvent['state'] = 'ended';
    let end = e.end;
    let durationSeconds = e.durationSeconds;
    let { LAeq, LAFmax, LCminusLA } = e;
    if (end === null) {
      state = 'ongoing';
      const until = openUntil(e, spans, period, nowMs);
      end = new Date(until).toISOString();
      durationSeconds = (until - Date.parse(e.start)) / 1000;
      const m = measure(Date.parse(e.start), until, e.deviceId);
      LAeq = m?.LAeq ?? null;
      LAFmax = m?.LAFmax ?? null;
      LCminusLA = m === null || m.LAeq === null || m.LCeq === null ? null : r2(m.LCeq - m.LAeq);
    }
    const level = ruleLevel(e.ruleType, LAeq, LAFmax, LCminusLA);
    return {
      ...base,
      kind: 'event',
      ruleId,
      state,
      end,
      durationSeconds: durationSeconds ?? Math.max(0, (Date.parse(end) - Date.parse(e.start)) / 1000),
      LAeq,
      LAFmax,
      LAF90: state === 'ended' ? e.backgroundLAF90 : null,
      permittedDb,
      exceedanceDb: permittedDb !== null && LAeq !== null ? r2(LAeq - permittedDb) : null,
      thresholdDb: e.threshold,
      overByDb: e.threshold !== null && level !== null ? r2(level - e.threshold) : null,
    };
  });
}

export function toBundleGap(g: TimelineGap): DataGapRecord {
  return { id: g.id, deviceId: g.deviceId, what: g.what, from: g.from, to: g.to, reason: g.reason, detail: g.detail, clockFlag: g.clockFlag };
}

export function caseEvidenceItems(db: Db, caseRef: string, period: Period): { events: TimelineEvent[]; gaps: TimelineGap[] } {
  const items = createEvidenceItemsReader(db)(caseRef, period.from, period.to);
  return { events: items.events, gaps: items.gaps };
}

export function caseEvents(db: Db, caseRef: string, period: Period): TimelineEvent[] {
  return caseEvidenceItems(db, caseRef, period).events;
}
