/**
 * The level line each rule applied, per monitor and period (issue 10 item 7):
 * for a rule with a fixed threshold, that threshold over the times its config
 * was in force (config-history.ts) and its schedule armed it (UK time); for
 * the rules whose level moves with the background (the Noise Act night rule's
 * permitted level, Noise Act 1996 s.5; the background-relative rule), the
 * threshold each event was judged against, over that event's span, as the
 * monitor's signed event records state it. Charts draw these, never today's rules.
 */
import type { Rule as DeviceRule, Schedule } from '@earshot/shared';
import { londonDate, londonLocalToUtc, nextDate } from '../cases/london-time.ts';
import type { Db } from '../db/open.ts';
import type { ThresholdSegment } from '../bundle/model.ts';
import type { ConfigPeriod } from './config-history.ts';
import type { DeploymentSpan } from './spans.ts';

const DAY_MS = 86_400_000;
const WEEKDAY = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const iso = (ms: number): string => new Date(ms).toISOString();

function fixedLine(r: DeviceRule): { thresholdDb: number; metric: ThresholdSegment['metric']; label: string } | null {
  switch (r.type) {
    case 'absolute':
      return { thresholdDb: r.thresholdDb, metric: 'LAeq', label: 'Loud noise threshold (LAeq)' };
    case 'impulsive':
      return { thresholdDb: r.thresholdDb, metric: 'LAFmax', label: 'Impulsive noise threshold (LAFmax)' };
    case 'low-frequency':
      return { thresholdDb: r.deltaDb, metric: 'LCminusLA', label: 'Bass threshold (LCeq − LAeq)' };
    default:
      return null;
  }
}

/** UTC instant of a local "HH:MM" on a local date ("24:00" is the next midnight); in the spring gap, the instant just after. */
function localInstant(date: string, hhmm: string): number {
  const [y, m, d] = date.split('-').map(Number);
  if (hhmm === '24:00') return localInstant(nextDate(date), '00:00');
  const [hh, mm] = hhmm.split(':').map(Number);
  const found = londonLocalToUtc(y ?? 0, m ?? 0, d ?? 0, hh ?? 0, mm ?? 0);
  // Several instants (the repeated autumn hour): the first; none (spring gap): an hour on, which exists.
  return found[0] ?? londonLocalToUtc(y ?? 0, m ?? 0, d ?? 0, (hh ?? 0) + 1, mm ?? 0)[0]!;
}

/** The windows a schedule arms within [from, to); a window belongs to the day it starts on (remote-config.ts Schedule). */
export function scheduleWindows(s: Schedule | undefined, from: number, to: number): { from: number; to: number }[] {
  if (s === undefined) return to > from ? [{ from, to }] : [];
  const out: { from: number; to: number }[] = [];
  for (let date = londonDate(from - DAY_MS); ; date = nextDate(date)) {
    const start = localInstant(date, s.start);
    if (start >= to) break;
    const [y, m, d] = date.split('-').map(Number);
    const weekday = WEEKDAY[new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay()]!;
    if (!s.days.includes(weekday)) continue;
    const end = s.end > s.start ? localInstant(date, s.end) : localInstant(nextDate(date), s.end);
    const a = Math.max(start, from);
    const b = Math.min(end, to);
    if (b > a) out.push({ from: a, to: b });
  }
  return out;
}

interface EventRow { event_id: string; body: string }

export function createThresholdReader(db: Db): (span: DeploymentSpan, periods: readonly ConfigPeriod[]) => ThresholdSegment[] {
  const events = db.prepare<[string, number, number], EventRow>(
    "SELECT event_id, body FROM events WHERE device = ? AND kind IN ('started', 'ended') AND device_time >= ? AND device_time < ? ORDER BY device_time, seq",
  );
  return (span, periods) => {
    const out: ThresholdSegment[] = [];
    for (const p of periods) {
      for (const r of p.rules) {
        const line = fixedLine(r);
        if (line === null) continue;
        for (const w of scheduleWindows(r.schedule, p.from, p.to)) {
          out.push({ deviceId: span.deviceId, ruleId: r.id, label: line.label, from: iso(w.from), to: iso(w.to), thresholdDb: line.thresholdDb, metric: line.metric });
        }
      }
    }
    // Moving thresholds: each event's own, over its span (to the end of the span if still open).
    const spans = new Map<string, { ruleId: string; ruleType: string; from: number; to: number | null; threshold: number }>();
    for (const row of events.all(span.deviceId, span.from, span.to)) {
      const b = JSON.parse(row.body) as { kind: string; ruleId: string; ruleType: string; startedAt: string; endedAt?: string; threshold: number };
      if (b.ruleType !== 'noise-act-night' && b.ruleType !== 'background-relative') continue;
      const e = spans.get(row.event_id) ?? { ruleId: b.ruleId, ruleType: b.ruleType, from: Date.parse(b.startedAt), to: null, threshold: b.threshold };
      if (b.kind === 'ended' && b.endedAt !== undefined) {
        e.to = Date.parse(b.endedAt);
        e.threshold = b.threshold;
      }
      spans.set(row.event_id, e);
    }
    for (const e of spans.values()) {
      const to = Math.min(e.to ?? span.to, span.to);
      if (to <= e.from) continue;
      const label = e.ruleType === 'noise-act-night' ? 'Noise Act permitted level (LAeq)' : 'Background + margin (LAeq)';
      out.push({ deviceId: span.deviceId, ruleId: e.ruleId, label, from: iso(e.from), to: iso(to), thresholdDb: Math.round(e.threshold * 100) / 100, metric: 'LAeq' });
    }
    return out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.ruleId < b.ruleId ? -1 : 1));
  };
}
