/**
 * The schedule of events: this case's events and incident marks in the period
 * (rows attached to the case, started and ended joined by event id — the
 * timeline's reader), with the Noise Act permitted level and the exceedance over
 * it where the rule is the Noise Act night rule.
 */
import type { Db } from '../db/open.ts';
import type { BundleEvent } from '../bundle/model.ts';
import { type TimelineEvent } from '../timeline/index.ts';
import { createEvidenceItemsReader } from '../timeline/evidence-items.ts';
import type { Period } from './period.ts';

/** The rule id shown for incident-button marks (they have no rule). */
export const INCIDENT_RULE_ID = 'incident-button';

const r2 = (x: number): number => Math.round(x * 100) / 100;

export function toBundleEvent(e: TimelineEvent): BundleEvent {
  // An event whose end never arrived, or an incident mark, is shown at its start with no duration.
  const end = e.end ?? e.start;
  // The device's threshold for this rule is the permitted level it computed (Permitted Level of Noise (England) Directions 2008).
  const permittedDb = e.ruleType === 'noise-act-night' ? e.threshold : null;
  return {
    id: e.eventId,
    ruleId: e.kind === 'incident' ? INCIDENT_RULE_ID : (e.ruleId ?? 'unknown'),
    deviceId: e.deviceId,
    start: e.start,
    end,
    durationSeconds: e.durationSeconds ?? Math.max(0, (Date.parse(end) - Date.parse(e.start)) / 1000),
    LAeq: e.LAeq,
    LAFmax: e.LAFmax,
    LAF90: e.backgroundLAF90,
    permittedDb,
    exceedanceDb: permittedDb !== null && e.LAeq !== null ? r2(e.LAeq - permittedDb) : null,
  };
}

export function caseEvents(db: Db, caseRef: string, period: Period): TimelineEvent[] {
  return createEvidenceItemsReader(db)(caseRef, period.from, period.to).events;
}
