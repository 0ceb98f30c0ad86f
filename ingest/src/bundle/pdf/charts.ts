/** Section 5: one chart per night (or day), two to a page, each with its own bookmark. */
import { exhibitsByEvent } from '../exhibits.ts';
import type { LevelSeries } from '../model.ts';
import { type ChartMarks, drawChart } from './chart.ts';
import { CONTENT_BOTTOM, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, nothingToShow, paragraph } from './layout.ts';

/** Height of a chart's block: title, plot, axis labels and legend. */
const BLOCK = 330;
const PLOT_HEIGHT = 245;

/** The marks that fall within one chart. */
export function marksFor(ctx: SectionContext, s: LevelSeries): ChartMarks {
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  const refs = exhibitsByEvent(ctx.exhibits);
  const sortedEvents = [...ctx.model.events].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const sortedDiary = [...ctx.model.diary].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return {
    thresholds: ctx.model.rules.flatMap((r) => (r.thresholdDb === null ? [] : [{ label: `${r.name} ${r.thresholdDb.toFixed(0)} dB`, db: r.thresholdDb }])),
    events: sortedEvents.flatMap((e, i) => {
      const start = Date.parse(e.start);
      const end = Date.parse(e.end);
      return end < from || start > to ? [] : [{ start, end, label: refs.get(e.id)?.[0] ?? `#${i + 1}` }];
    }),
    diary: sortedDiary.flatMap((d, i) => {
      const at = Date.parse(d.at);
      return at < from || at > to ? [] : [{ at, label: `D${i + 1}` }];
    }),
  };
}

/** Draws the charts; calls `bookmark(label)` when each starts (on its page). */
export function renderCharts(ctx: SectionContext, bookmark: (label: string) => void): void {
  const { doc, model } = ctx;
  if (model.series.length === 0) {
    nothingToShow(doc, 'No measurements in this period: there are no levels to chart.');
    return;
  }
  paragraph(doc, 'Levels are shown as one point per interval (the energy average for LAeq, the highest value for LAFmax). Shaded bands are night hours; red bands are events, labelled with their exhibit reference (or event number from section 4); green markers are diary entries, numbered as in section 6.', { muted: true });
  for (const s of model.series) {
    if (doc.y + BLOCK > CONTENT_BOTTOM) {
      doc.addPage();
      doc.y = MARGIN.top;
    }
    bookmark(s.label);
    doc.font(FONT.bold).fontSize(SIZE.subheading).fillColor('#111111').text(s.label, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
    const top = doc.y + 14;
    drawChart(doc, { x: MARGIN.left + 28, y: top, w: CONTENT_WIDTH - 28 - 62, h: PLOT_HEIGHT }, s, marksFor(ctx, s), ctx.clock);
    doc.x = MARGIN.left;
    doc.y = top + PLOT_HEIGHT + 40;
  }
}
