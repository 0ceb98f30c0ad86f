/** Section 6: each diary entry beside what the monitor measured then, and any event within ±10 minutes of it (issue 5). */
import { exhibitsByEvent } from '../exhibits.ts';
import { londonMinute, londonTimeOfDay } from '../london-clock.ts';
import type { BundleEvent, DiaryEntry } from '../model.ts';
import { type SectionContext, db, nothingToShow, paragraph } from './layout.ts';
import { drawTable } from './table.ts';

/** Issue 5: events within ±10 min of a diary entry corroborate it. */
export const CORROBORATION_WINDOW_MS = 10 * 60_000;

/** Events overlapping [at − 10 min, at + 10 min], in time order. */
export function eventsNear(at: string, events: readonly BundleEvent[]): BundleEvent[] {
  const t = Date.parse(at);
  return events
    .filter((e) => Date.parse(e.start) <= t + CORROBORATION_WINDOW_MS && Date.parse(e.end) >= t - CORROBORATION_WINDOW_MS)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/** A table row must fit on a page: longer entries are cut here and given whole in data/diary.csv. */
const MAX_ENTRY_CHARS = 1_500;

function shortened(text: string): string {
  return text.length <= MAX_ENTRY_CHARS ? text : `${text.slice(0, MAX_ENTRY_CHARS)}… (continued in data/diary.csv)`;
}

function measured(d: DiaryEntry, ctx: SectionContext): string {
  const m = d.measured;
  if (m === null) return 'No measurements at this time.';
  return `${londonTimeOfDay(m.window.from, ctx.clock).slice(0, 5)}–${londonTimeOfDay(m.window.to, ctx.clock).slice(0, 5)}: LAeq ${db(m.LAeq)}, LAFmax ${db(m.LAFmax)}, background LA90 ${db(m.LA90)} dB (of the 1 s LAeq values)`;
}

export function renderDiary(ctx: SectionContext): void {
  const { doc, model, exhibits, clock } = ctx;
  if (model.diary.length === 0) {
    nothingToShow(doc, 'No diary entries were made for this period.');
    return;
  }
  paragraph(doc, 'Each entry the resident made, as written, beside the levels the monitor measured at that time and any event it recorded within 10 minutes either side.', { muted: true });
  const refs = exhibitsByEvent(exhibits);
  const rows = [...model.diary]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((d, i) => {
      const near = eventsNear(d.at, model.events);
      const events =
        near.length === 0
          ? 'None'
          : near.map((e) => `${londonTimeOfDay(e.start, clock)} LAFmax ${db(e.LAFmax)}${refs.has(e.id) ? ` (${refs.get(e.id)!.join(', ')})` : ''}`).join('\n');
      return [`D${i + 1}`, londonMinute(d.at, clock), shortened(d.text), measured(d, ctx), events];
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
