/**
 * How an exhibit is described wherever it is named — the exhibit list, the
 * witness statement and its label sheet — so the three always agree: what it
 * is, which monitor made it and when, and which events of the schedule it covers
 * (by their number there, never a raw id).
 */
import { exhibitsCovering } from '../event-exhibits.ts';
import type { Exhibit } from '../exhibits.ts';
import { londonTimeOfDay, londonMinute } from '../london-clock.ts';
import type { BundleEvent } from '../model.ts';
import { type SectionContext, duration } from './layout.ts';

/** Each exhibit's events as "event 3" (schedule numbers: events in time order, from 1). */
export function eventsOfExhibits(ctx: SectionContext): Map<string, { n: number; event: BundleEvent }[]> {
  const ordered = [...ctx.model.events].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const numbers = new Map(ordered.map((e, i) => [e, i + 1]));
  const out = new Map<string, { n: number; event: BundleEvent }[]>();
  for (const [event, refs] of exhibitsCovering(ctx.model.events, ctx.exhibits)) {
    for (const r of refs) {
      const list = out.get(r) ?? [];
      list.push({ n: numbers.get(event)!, event });
      out.set(r, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.n - b.n);
  return out;
}

/** "events 1 and 2" / "event 4" / "no event". */
export function eventNumbers(list: readonly { n: number }[] | undefined): string {
  const ns = (list ?? []).map((x) => String(x.n));
  if (ns.length === 0) return 'no event in the schedule';
  if (ns.length === 1) return `event ${ns[0]}`;
  return `events ${ns.slice(0, -1).join(', ')} and ${ns.at(-1)}`;
}

/** "Audio recording, 1 min 00 s, made by monitor mon-0007 from 2026-03-28 23:30:00 (UK time), calibration fullScaleDb 120.00 dB". */
export function describeExhibit(ctx: SectionContext, x: Exhibit): string {
  const start = Date.parse(x.clip.start);
  const when = `${londonMinute(start, ctx.clock).slice(0, 10)} ${londonTimeOfDay(start, ctx.clock)}`;
  const calibration = x.clip.fullScaleDb === undefined ? '' : `, calibration fullScaleDb ${x.clip.fullScaleDb.toFixed(2)} dB`;
  return `Audio recording, ${duration(x.clip.durationSeconds)}, made by monitor ${x.clip.deviceId} from ${when} (UK time)${calibration}`;
}

/** What the exhibit covers, in words: "It covers event 1 in the schedule of events (Noise Act night)." */
export function coverage(ctx: SectionContext, list: readonly { n: number; event: BundleEvent }[] | undefined): string {
  if (list === undefined || list.length === 0) return 'It covers no event in the schedule of events.';
  const rules = new Map(ctx.model.rules.map((r) => [r.id, r.name]));
  const kinds = [...new Set(list.map((x) => (x.event.kind === 'incident' ? 'the resident pressed the incident button' : (rules.get(x.event.ruleId) ?? 'an automatic rule'))))];
  return `It covers ${eventNumbers(list)} in the schedule of events (${kinds.join('; ')}).`;
}
