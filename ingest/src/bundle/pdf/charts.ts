/**
 * Section 5: one chart per night (or day) and monitor, two to a page where they fit, each with
 * its own bookmark. Each monitor keeps its own colours on every chart and is
 * named in the chart's title and legend (issue 10 item 6); the thresholds drawn
 * are those the rules applied on that monitor at the time (model.thresholds,
 * issue 10 item 7), never today's rules.
 */
import { chartTitle } from '../chart-title.ts';
import { exhibitsCovering } from '../event-exhibits.ts';
import type { LevelSeries } from '../model.ts';
import { type ChartMarks, type SeriesColours, drawChart, layoutChart, thresholdSteps } from './chart.ts';
import { CONTENT_BOTTOM, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, nothingToShow, paragraph, printable } from './layout.ts';

/** Plot height, pt: two nights to a page when their keys are short (A4 content is 722 pt tall). */
const PLOT_HEIGHT = 200;
/** A chart of a few minutes or less (its axis narrowed to them, chart-axis.ts) is drawn lower, so it shares a page. */
const SHORT_PLOT_HEIGHT = 120;
/** Room left of the plot for the dB scale and its title. */
const Y_AXIS = 34;
/** Space after a chart's key before the next chart's title, pt. */
const AFTER = 18;
const TITLE_SIZE = { largest: SIZE.subheading, smallest: 9 } as const;

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

/** The marks that fall within one chart: its monitor's events and exhibits, its thresholds, and every diary entry. */
export function marksFor(ctx: SectionContext, s: LevelSeries): ChartMarks {
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  // Events numbered as in the schedule of events: all of them in time order, from 1.
  const sortedEvents = [...ctx.model.events].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const numbers = new Map(sortedEvents.map((e, i) => [e.id, i + 1]));
  const covering = exhibitsCovering(ctx.model.events, ctx.exhibits);
  const byRef = new Map<string, number[]>();
  for (const [e, refs] of covering) for (const r of refs) byRef.set(r, [...(byRef.get(r) ?? []), numbers.get(e.id)!]);
  const sortedDiary = [...ctx.model.diary].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return {
    thresholds: thresholdSteps(ctx.model.thresholds, s.deviceId, from, to),
    events: sortedEvents.flatMap((e) => {
      const start = Date.parse(e.start);
      const end = Date.parse(e.end);
      return e.deviceId !== s.deviceId || end < from || start > to ? [] : [{ start, end, n: numbers.get(e.id)!, exhibits: covering.get(e) ?? [] }];
    }),
    exhibits: ctx.exhibits.flatMap((x) => {
      const start = Date.parse(x.clip.start);
      const end = start + x.clip.durationSeconds * 1000;
      return x.clip.deviceId !== s.deviceId || end < from || start > to ? [] : [{ ref: x.ref, start, end, events: (byRef.get(x.ref) ?? []).sort((a, b) => a - b) }];
    }),
    diary: sortedDiary.flatMap((d, i) => {
      const at = Date.parse(d.at);
      return at < from || at > to ? [] : [{ at, label: `D${i + 1}` }];
    }),
  };
}

/** The title on one line, in a smaller size if it must (down to TITLE_SIZE.smallest, then it wraps); its height. */
function titleSize(ctx: SectionContext, title: string): { size: number; height: number } {
  const { doc } = ctx;
  doc.font(FONT.bold);
  let size: number = TITLE_SIZE.largest;
  while (size > TITLE_SIZE.smallest && doc.fontSize(size).widthOfString(title) > CONTENT_WIDTH) size -= 0.5;
  return { size, height: doc.fontSize(size).heightOfString(title, { width: CONTENT_WIDTH }) };
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
    'Each chart shows one monitor. Levels are shown as one point per interval (the energy average for LAeq, the highest value for LAFmax), in dB(A), against UK local time. Shaded bands are night hours; red bands are events. Each audio exhibit, and each event with no exhibit, is lettered above the chart (A, B, …; letters too close together share a label such as "C–F"), and the key under the chart gives each letter\'s exhibit reference or event number, its time and the events it covers. Green markers are diary entries, numbered as in the diary corroboration. Dashed lines are the levels each rule applied at the time, as recorded in the evidence (a rule whose level varies, such as the Noise Act permitted level, is drawn as steps); each value is written beside its line or at its end, clear of the measured levels, and the legend lists them all.',
    { muted: true },
  );
  if (model.thresholds.some((t) => t.metric === 'LCminusLA')) {
    paragraph(doc, 'The bass (low-frequency) rule compares the C-weighted with the A-weighted level (LCeq − LAeq, a difference of levels, not a level), so it has no line on these dB(A) charts; its events are marked like the others and its figures are in the schedule of events.', { muted: true });
  }
  for (const s of model.series) {
    // The title says what is drawn, from the chart's own window and monitor.
    const title = printable(chartTitle(Date.parse(s.from), Date.parse(s.to), s.deviceId));
    const marks = marksFor(ctx, s);
    const { size, height } = titleSize(ctx, title);
    const frame = (y: number, plotHeight: number) => ({ x: MARGIN.left + Y_AXIS, y: y + height + 6, w: CONTENT_WIDTH - Y_AXIS, plotHeight });
    let layout = layoutChart(doc, frame(doc.y, PLOT_HEIGHT), s, marks, ctx.clock);
    if (layout.axis.narrowed) layout = layoutChart(doc, frame(doc.y, SHORT_PLOT_HEIGHT), s, marks, ctx.clock);
    const plotHeight = layout.box.h;
    // The chart and the start of its key on one page; a key longer than the page goes on over the next.
    const need = (l: typeof layout): number => height + 6 + (height + 6 + l.height <= CONTENT_BOTTOM - MARGIN.top ? l.height : l.keyTop + 40);
    if (doc.y + need(layout) > CONTENT_BOTTOM) {
      doc.addPage();
      doc.y = MARGIN.top;
      layout = layoutChart(doc, frame(doc.y, plotHeight), s, marks, ctx.clock);
    }
    bookmark(title);
    const titleY = doc.y;
    doc.font(FONT.bold).fontSize(size).fillColor('#111111').text(title, MARGIN.left, titleY, { width: CONTENT_WIDTH });
    const foot = drawChart(doc, layout, s, marks, colours.get(s.deviceId)!, ctx.clock, {
      bottom: CONTENT_BOTTOM,
      newPage: () => {
        doc.addPage();
        return MARGIN.top;
      },
    });
    doc.x = MARGIN.left;
    doc.y = foot + AFTER;
  }
}
