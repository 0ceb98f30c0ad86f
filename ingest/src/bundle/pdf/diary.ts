/**
 * Diary corroboration: each diary entry beside what the monitor measured over
 * the time the resident described, and a short summary of the events within
 * ±10 minutes of it — how many, of which kind, the loudest and its exhibits —
 * rather than every event as a line (issue 10); the events themselves are in
 * the schedule.
 */
import { exhibitsCovering } from '../event-exhibits.ts';
import { PHONE_RECORDING_LABEL } from '../exhibits.ts';
import { londonMinute, londonTimeOfDay } from '../london-clock.ts';
import type { BundleEvent, DiaryEntry } from '../model.ts';
import { type SectionContext, db, nothingToShow, paragraph } from './layout.ts';
import { drawTable } from './table.ts';

/** Issue 5: events within ±10 min of a diary entry corroborate it. */
export const CORROBORATION_WINDOW_MS = 10 * 60_000;

/** Events overlapping [at − 10 min, (end ?? at) + 10 min], in time order. */
export function eventsNear(at: string, events: readonly BundleEvent[], end?: string): BundleEvent[] {
  const t = Date.parse(at);
  const t1 = end === undefined ? t : Date.parse(end);
  return events
    .filter((e) => Date.parse(e.start) <= t1 + CORROBORATION_WINDOW_MS && Date.parse(e.end) >= t - CORROBORATION_WINDOW_MS)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/** A table row must fit on a page: longer entries are cut here and given whole in data/diary.csv. */
const MAX_ENTRY_CHARS = 1_500;

function shortened(text: string): string {
  return text.length <= MAX_ENTRY_CHARS ? text : `${text.slice(0, MAX_ENTRY_CHARS)}… (continued in data/diary.csv)`;
}

/** The case's monitors, by device id: with more than one, each is named (issue 10 item 6). */
function monitorsOf(ctx: SectionContext): string[] {
  return [...new Set(ctx.model.deployments.map((d) => d.deviceId))].sort();
}

function measured(d: DiaryEntry, ctx: SectionContext): string {
  const first = d.measured[0];
  if (first === undefined) return 'No measurements at this time.';
  const window = `${londonTimeOfDay(first.window.from, ctx.clock).slice(0, 5)}–${londonTimeOfDay(first.window.to, ctx.clock).slice(0, 5)}`;
  const figures = (m: DiaryEntry['measured'][number]): string => `LAeq ${db(m.LAeq)}, LAFmax ${db(m.LAFmax)}, background LA90 ${db(m.LA90)} dB`;
  const monitors = monitorsOf(ctx);
  if (monitors.length <= 1) return `${window}: ${figures(first)} (of the 1 s LAeq values)`;
  // Two rooms' levels are never pooled: each monitor's own figures, named.
  const lines = monitors.map((id) => {
    const m = d.measured.find((x) => x.deviceId === id);
    return `monitor ${id}: ${m === undefined ? 'no measurements' : figures(m)}`;
  });
  return [`${window}, each monitor separately (LA90 of the 1 s LAeq values):`, ...lines].join('\n');
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "4 events (3 by the rules, 1 button press); loudest LAFmax 72.0 dB at 23:10:50 (JS/1, JS/2)". */
export function nearSummary(near: readonly BundleEvent[], refs: ReadonlyMap<BundleEvent, readonly string[]>, ctx: SectionContext): string {
  if (near.length === 0) return 'None';
  const presses = near.filter((e) => e.kind === 'incident').length;
  const kinds = [presses < near.length ? `${near.length - presses} by the rules` : null, presses > 0 ? plural(presses, 'button press', 'button presses') : null].filter((s) => s !== null);
  let loudest: BundleEvent | null = null;
  for (const e of near) if (e.LAFmax !== null && (loudest === null || e.LAFmax > loudest.LAFmax!)) loudest = e;
  const parts = [`${plural(near.length, 'event', 'events')} (${kinds.join(', ')})`];
  if (loudest !== null) {
    const ex = refs.get(loudest) ?? [];
    const on = monitorsOf(ctx).length > 1 ? ` on monitor ${loudest.deviceId}` : '';
    parts.push(`loudest LAFmax ${db(loudest.LAFmax)} dB at ${londonTimeOfDay(loudest.start, ctx.clock)}${on}${ex.length > 0 ? ` (${ex.join(', ')})` : ''}`);
  }
  const open = near.filter((e) => e.state === 'ongoing').length;
  if (open > 0) parts.push(`${plural(open, 'event', 'events')} ongoing at the end of the period`);
  return `${parts.join('; ')}. Each is in the schedule of events.`;
}

/** Issue 13: the diary distinguishes entries made at the time, entered later and imported. */
export const DIARY_SOURCES_NOTE =
  'Each entry is marked by who made it. "Resident, at the time": written by the resident on their phone through the diary link for this deployment, and sealed in the evidence log the moment it was received; the time it was written (by the phone\'s clock) and the time it was received are both given, and flagged when they are more than 10 minutes apart (sent later, for example from a phone that was offline). "Entered later by an officer": typed in by an officer from what the resident said. "Imported": from a diary sheet. Phone recordings are not calibrated: they support an entry but do not measure the noise.';

const SOURCE_LABEL = { resident: 'Resident, at the time', officer: 'Entered later by an officer', import: 'Imported' } as const;

/** "[Resident, at the time: written 23:12, received 23:13]" */
function provenance(d: DiaryEntry, ctx: SectionContext): string {
  const label = SOURCE_LABEL[d.source ?? 'officer'];
  if (d.source !== 'resident' || d.writtenAt === undefined || d.receivedAt === undefined) return `[${label}]`;
  const t = (iso: string): string => londonMinute(iso, ctx.clock);
  const flag = d.delayed === true ? '; received more than 10 minutes after it was written' : '';
  return `[${label}: written ${t(d.writtenAt)}, received ${t(d.receivedAt)}${flag}]`;
}

export function renderDiary(ctx: SectionContext): void {
  const { doc, model, exhibits, clock } = ctx;
  if (model.diary.length === 0) {
    nothingToShow(doc, 'No diary entries were made for this period.');
    return;
  }
  paragraph(
    doc,
    'Each entry the resident made, as written, beside the levels the monitor measured over the time they described (from the start to the end they gave, or the 10 minutes centred on a single time), and a summary of the events it recorded within 10 minutes either side.',
    { muted: true },
  );
  paragraph(doc, DIARY_SOURCES_NOTE, { muted: true });
  const refs = exhibitsCovering(model.events, exhibits);
  const recordingRefs = new Map(ctx.recordings.map((r) => [r.recording.sha256, r.ref]));
  const rows = [...model.diary]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((d, i) => {
      const when = d.end === undefined ? londonMinute(d.at, clock) : `${londonMinute(d.at, clock)}–${londonTimeOfDay(d.end, clock).slice(0, 5)}`;
      const recording = d.recordingSha256 === undefined ? '' : `\nPhone recording: exhibit ${recordingRefs.get(d.recordingSha256) ?? '(file not kept)'}, ${PHONE_RECORDING_LABEL}.`;
      return [`D${i + 1}`, when, `${provenance(d, ctx)}\n${shortened(d.text)}${recording}`, measured(d, ctx), nearSummary(eventsNear(d.at, model.events, d.end), refs, ctx)];
    });
  drawTable(
    doc,
    [
      { header: 'No.', width: 24 },
      { header: 'When', width: 62 },
      { header: "Resident's entry", width: 170 },
      { header: 'Measured', width: 120 },
      { header: 'Events within 10 min', width: 110 },
    ],
    rows,
  );
}
