/** Section 4: every event in time order, one row each, with its exhibits. */
import { exhibitsByEvent } from '../exhibits.ts';
import { type SectionContext, db, duration, nothingToShow, paragraph } from './layout.ts';
import { drawTable } from './table.ts';

export function renderEventsSchedule(ctx: SectionContext): void {
  const { doc, model, exhibits, clock } = ctx;
  if (model.events.length === 0) {
    nothingToShow(doc, 'No events were recorded in this period.');
    return;
  }
  paragraph(doc, 'Times are UK local time. Levels in dB. LAF90 is the background level around the event; "Permitted" and "Over" apply where the Noise Act rule was active (section 3).', { muted: true });
  const rules = new Map(model.rules.map((r) => [r.id, r.name]));
  const refs = exhibitsByEvent(exhibits);
  const rows = [...model.events]
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    .map((e, i) => {
      const start = Date.parse(e.start);
      const local = new Date(start + clock.offsetMs(start)).toISOString();
      const end = Date.parse(e.end);
      return [
        String(i + 1),
        local.slice(0, 10),
        local.slice(11, 19),
        new Date(end + clock.offsetMs(end)).toISOString().slice(11, 19),
        duration(e.durationSeconds),
        db(e.LAeq),
        db(e.LAFmax),
        db(e.LAF90),
        db(e.permittedDb),
        e.exceedanceDb === null ? '–' : `${e.exceedanceDb > 0 ? '+' : ''}${e.exceedanceDb.toFixed(1)}`,
        rules.get(e.ruleId) ?? e.ruleId,
        (refs.get(e.id) ?? []).join(', ') || '–',
      ];
    });
  drawTable(
    doc,
    [
      { header: 'No.', width: 20, align: 'right' },
      { header: 'Date', width: 48 },
      { header: 'Start', width: 38 },
      { header: 'End', width: 38 },
      { header: 'Duration', width: 46 },
      { header: 'LAeq', width: 30, align: 'right' },
      { header: 'LAFmax', width: 38, align: 'right' },
      { header: 'LAF90', width: 32, align: 'right' },
      { header: 'Permitted', width: 44, align: 'right' },
      { header: 'Over', width: 30, align: 'right' },
      { header: 'Rule', width: 68 },
      { header: 'Exhibit', width: 40 },
    ],
    rows,
  );
}
