/**
 * Section 5: one chart per night (or day) and monitor, two to a page, each with
 * its own bookmark. Each monitor keeps its own colours on every chart and is
 * named in the chart's title and legend (issue 10 item 6); the thresholds drawn
 * are those the rules applied on that monitor at the time (model.thresholds,
 * issue 10 item 7), never today's rules.
 */
import { chartTitle } from '../chart-title.ts';
import { exhibitsByEvent } from '../exhibits.ts';
import type { LevelSeries } from '../model.ts';
import { type ChartMarks, type SeriesColours, drawChart, thresholdSteps } from './chart.ts';
import { CONTENT_BOTTOM, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, nothingToShow, paragraph, printable } from './layout.ts';

/** Height of a chart's block: title, plot, axis labels and a two-line legend. */
const BLOCK = 340;
const PLOT_HEIGHT = 240;
/** Room left of the plot for the dB scale and its title. */
const Y_AXIS = 34;

/** Line colours per monitor: blue/orange, purple/green, teal/brown, …; distinct from the threshold, event and diary colours. */
const PALETTE: readonly SeriesColours[] = [
  { LAeq: '#1f4e9c', LAFmax: '#e08a2e' },
  { LAeq: '#6c2a8c', LAFmax: '#4f9a5a' },
  { LAeq: '#00838f', LAFmax: '#8d6e63' },
  { LAeq: '#283593', LAFmax: '#c2185b' },
];

/** Each monitor's colours, in the order given (the order of deployment). */
export function monitorColours(deviceIds: readonly string[]): Map<string, SeriesColours> {
  const out = new Map<string, SeriesColours>();
  for (const id of deviceIds) if (!out.has(id)) out.set(id, PALETTE[out.size % PALETTE.length]!);
  return out;
}

/** The marks that fall within one chart: its monitor's events and thresholds, and every diary entry. */
export function marksFor(ctx: SectionContext, s: LevelSeries): ChartMarks {
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  const refs = exhibitsByEvent(ctx.exhibits);
  const sortedEvents = [...ctx.model.events].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const sortedDiary = [...ctx.model.diary].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return {
    thresholds: thresholdSteps(ctx.model.thresholds, s.deviceId, from, to),
    events: sortedEvents.flatMap((e, i) => {
      const start = Date.parse(e.start);
      const end = Date.parse(e.end);
      return e.deviceId !== s.deviceId || end < from || start > to ? [] : [{ start, end, label: refs.get(e.id)?.[0] ?? `#${i + 1}` }];
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
  const colours = monitorColours([...model.deployments.map((d) => d.deviceId), ...model.series.map((s) => s.deviceId)]);
  paragraph(
    doc,
    'Each chart shows one monitor. Levels are shown as one point per interval (the energy average for LAeq, the highest value for LAFmax), in dB(A), against UK local time. Shaded bands are night hours; red bands are events, labelled with their exhibit reference (or their number in the schedule of events); green markers are diary entries, numbered as in the diary corroboration. Dashed lines are the levels each rule applied at the time, as recorded in the evidence (a rule whose level varies, such as the Noise Act permitted level, is drawn as steps).',
    { muted: true },
  );
  if (model.thresholds.some((t) => t.metric === 'LCminusLA')) {
    paragraph(doc, 'The bass (low-frequency) rule compares the C-weighted with the A-weighted level (LCeq − LAeq, a difference of levels, not a level), so it has no line on these dB(A) charts; its events are marked like the others and its figures are in the schedule of events.', { muted: true });
  }
  for (const s of model.series) {
    if (doc.y + BLOCK > CONTENT_BOTTOM) {
      doc.addPage();
      doc.y = MARGIN.top;
    }
    // The title says what is drawn, from the chart's own window and monitor.
    const title = chartTitle(Date.parse(s.from), Date.parse(s.to), s.deviceId);
    bookmark(title);
    doc.font(FONT.bold).fontSize(SIZE.subheading).fillColor('#111111').text(printable(title), MARGIN.left, doc.y, { width: CONTENT_WIDTH });
    const top = doc.y + 14;
    drawChart(doc, { x: MARGIN.left + Y_AXIS, y: top, w: CONTENT_WIDTH - Y_AXIS - 4, h: PLOT_HEIGHT }, s, marksFor(ctx, s), colours.get(s.deviceId)!, ctx.clock);
    doc.x = MARGIN.left;
    doc.y = top + PLOT_HEIGHT + 62;
  }
}
