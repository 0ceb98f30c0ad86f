/**
 * One level chart of one monitor, drawn with vector paths: LAeq and LAFmax
 * lines in the monitor's colours, the thresholds its rules applied as step
 * lines, night hours (23:00–07:00, Noise Act 1996 s.2(6)) shaded, events as
 * bands, exhibits and events lettered above the plot with a key under it
 * (chart-markers.ts; the legend and the key drawn by chart-legend.ts), diary
 * entries as markers. A gap in the data breaks the
 * lines rather than bridging it. Times on the axis are UK local time at a step
 * that suits the span (chart-axis.ts). Threshold values are written where they
 * cover no trace (chart-threshold-labels.ts). layoutChart() says where
 * everything goes (and how tall the chart is); drawChart() draws that.
 */
import { nightOf } from '../chart-title.ts';
import { londonDate, nextDate } from '../../cases/london-time.ts';
import { londonTimeOfDay, type LondonClock } from '../london-clock.ts';
import type { LevelSeries, ThresholdSegment } from '../model.ts';
import { TICK_FONT, type TimeAxis, bucketMs, timeAxis, timeTicks } from './chart-axis.ts';
import { type ChartEvent, type ChartExhibit, MARKER_FONT, MARKER_ROW, type MarkerItem, type MarkerLabel, markerItems, placeMarkers } from './chart-markers.ts';
import { type LevelLine, type PlacedLabel, type Rect, placeLevelLabels, traceBoxes } from './chart-threshold-labels.ts';
import { COLOUR, type Doc, FONT, duration } from './layout.ts';
import { DIARY, EVENT, type KeyOverflow, type LegendKind, NIGHT, drawKey, drawLegend } from './chart-legend.ts';

export { timeTicks };
export type { KeyOverflow };

/** A threshold over [from, to) of the chart, epoch ms. */
export interface ThresholdStep {
  readonly ruleId: string;
  readonly label: string;
  readonly metric: ThresholdSegment['metric'];
  readonly from: number;
  readonly to: number;
  readonly db: number;
}

export interface ChartMarks {
  readonly thresholds: readonly ThresholdStep[];
  /** This monitor's events overlapping the window, numbered as in the schedule of events. */
  readonly events: readonly ChartEvent[];
  /** This monitor's exhibits whose audio overlaps the window. */
  readonly exhibits: readonly ChartExhibit[];
  readonly diary: readonly { at: number; label: string }[];
}

/** The monitor's line colours. */
export interface SeriesColours {
  readonly LAeq: string;
  readonly LAFmax: string;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const THRESHOLD_COLOURS = ['#c0392b', '#7d3c98', '#9a7d0a', '#1a5276'] as const;
const HOUR_MS = 3_600_000;
/** Room right of the plot for the values of levels that run to its end, pt. */
export const LEVEL_MARGIN = 30;
const LEVEL_FONT = 5.8;
/** A rule's level is written again when it changes, or when its line resumes this far (pt) after it last ended. */
const RELABEL_PT = 20;
/** Above this many distinct levels, the legend gives a rule's range rather than each. */
const LEVELS_LISTED = 4;
/** Width a diary label ("D12") needs at 6 pt, with room either side. */
const DIARY_LABEL_ROOM = 16;

/** Noise Act 1996 s.2(6): night hours are 23:00 to 07:00; the parts within [from, to). */
export function nightIntervals(from: number, to: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let date = londonDate(from - 24 * HOUR_MS); ; date = nextDate(date)) {
    const n = nightOf(date);
    if (n.from >= to) break;
    if (n.to > from) out.push({ from: Math.max(from, n.from), to: Math.min(to, n.to) });
  }
  return out;
}

/** The zone(s) the axis is in: "BST", "GMT", or both when the clocks change within it. */
function zoneName(from: number, to: number, clock: LondonClock): string {
  const a = clock.offsetMs(from) === 0 ? 'GMT' : 'BST';
  const b = clock.offsetMs(to) === 0 ? 'GMT' : 'BST';
  return a === b ? a : `${a}, then ${b}`;
}

/** One monitor's threshold segments within [from, to), clipped, in time order. */
export function thresholdSteps(segments: readonly ThresholdSegment[], deviceId: string, from: number, to: number): ThresholdStep[] {
  return segments
    .filter((s) => s.deviceId === deviceId && Date.parse(s.to) > from && Date.parse(s.from) < to)
    .map((s) => ({ ruleId: s.ruleId, label: s.label, metric: s.metric, from: Math.max(from, Date.parse(s.from)), to: Math.min(to, Date.parse(s.to)), db: s.thresholdDb }))
    .sort((a, b) => a.from - b.from || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}


/** A dB axis from a multiple of 10 at or below the data to one at or above, at least 20–90 dB. */
function dbRange(series: LevelSeries, steps: readonly ThresholdStep[]): [number, number] {
  let lo = 20;
  let hi = 90;
  for (const v of series.LAFmax) if (v !== null && v > hi) hi = v;
  for (const v of series.LAeq) if (v !== null && v < lo) lo = v;
  for (const t of steps) {
    hi = Math.max(hi, t.db);
    lo = Math.min(lo, t.db);
  }
  return [Math.floor(lo / 10) * 10, Math.ceil((hi + 1) / 10) * 10];
}

/** The colour of each rule's line, in order of first appearance. */
function ruleColours(steps: readonly ThresholdStep[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of steps) if (!out.has(s.ruleId)) out.set(s.ruleId, THRESHOLD_COLOURS[out.size % THRESHOLD_COLOURS.length]!);
  return out;
}

/** Thresholds not drawn: LC − LA is a difference of levels and has no place on a dB(A) axis. */
const drawable = (s: ThresholdStep): boolean => s.metric !== 'LCminusLA';

/** "35.0 dB", "34.6, 35.1 dB", or "34.0–40.3 dB (each event's in the schedule of events)". */
function levelsText(dbs: readonly number[]): string {
  const distinct = [...new Set(dbs.map((d) => d.toFixed(1)))];
  if (distinct.length <= LEVELS_LISTED) return `${distinct.join(', ')} dB`;
  return `${Math.min(...dbs).toFixed(1)}–${Math.max(...dbs).toFixed(1)} dB (each event's in the schedule of events)`;
}

/** Where the chart sits: `x` the plot's left edge, `y` the top of the letters above it, `w` the width from `x` to the right edge of the page's content. */
export interface ChartFrame {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly plotHeight: number;
}

export interface ChartLayout {
  readonly axis: TimeAxis;
  /** The plot. */
  readonly box: Box;
  readonly lo: number;
  readonly hi: number;
  readonly px: (t: number) => number;
  readonly py: (v: number) => number;
  readonly maxGapMs: number;
  readonly steps: readonly ThresholdStep[];
  readonly colours: ReadonlyMap<string, string>;
  /** Every line's segments as boxes (LAeq and LAFmax). */
  readonly traces: readonly Rect[];
  readonly levelLines: readonly (LevelLine & { colour: string })[];
  readonly levelLabels: readonly PlacedLabel[];
  readonly items: readonly MarkerItem[];
  readonly markers: readonly MarkerLabel[];
  readonly markerRows: number;
  readonly axisTitle: string;
  readonly legend: readonly { x: number; y: number; label: string; kind: LegendKind; colour?: string }[];
  readonly key: readonly { x: number; y: number; w: number; letter: string; text: string }[];
  readonly keyTitle: { x: number; y: number } | null;
  /** Diary entries in the chart's window but off a narrowed axis, said in words under the legend. */
  readonly offAxis: { x: number; y: number; text: string } | null;
  /** From frame.y to the foot of the key. */
  readonly height: number;
  /** From frame.y to the top of the key (the height without it). */
  readonly keyTop: number;
}

/** Where each part of a chart goes. Sets fonts on `doc` to measure text; draws nothing. */
export function layoutChart(doc: Doc, frame: ChartFrame, series: LevelSeries, marks: ChartMarks, clock: LondonClock): ChartLayout {
  const windowFrom = Date.parse(series.from);
  const windowTo = Date.parse(series.to);
  const bucket = bucketMs(series);
  const spans = [
    ...series.t.map((t) => ({ from: t, to: t + bucket })),
    ...marks.events.map((e) => ({ from: e.start, to: e.end })),
    ...marks.exhibits.map((x) => ({ from: x.start, to: x.end })),
  ];
  const axis = timeAxis(windowFrom, windowTo, series.t.length === 0 ? [] : spans);
  const steps = marks.thresholds.filter((s) => s.to > axis.from && s.from < axis.to).map((s) => ({ ...s, from: Math.max(s.from, axis.from), to: Math.min(s.to, axis.to) }));
  const shown = steps.filter(drawable);
  const margin = shown.length > 0 ? LEVEL_MARGIN : 0;
  const plotW = frame.w - margin;
  const pxAt = (t: number): number => frame.x + ((t - axis.from) / (axis.to - axis.from)) * plotW;

  // The letters above the plot.
  const items = markerItems(marks.exhibits, marks.events, axis.from, axis.to, (ms) => londonTimeOfDay(ms, clock), duration);
  const markers = placeMarkers(doc, items.map((i) => i.letter), items.map((i) => pxAt(i.t)), frame.x, frame.x + plotW);
  const markerRows = markers.length === 0 ? 0 : Math.max(...markers.map((m) => m.row)) + 1;

  const box: Box = { x: frame.x, y: frame.y + markerRows * MARKER_ROW + (markerRows > 0 ? 3 : 0), w: plotW, h: frame.plotHeight };
  const [lo, hi] = dbRange(series, shown);
  const px = pxAt;
  const py = (v: number): number => box.y + box.h - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * box.h;
  const maxGapMs = Math.max(3 * bucket, 120_000);
  const traces = [...traceBoxes(series.t, series.LAFmax, px, py, maxGapMs), ...traceBoxes(series.t, series.LAeq, px, py, maxGapMs)];

  // Each rule's value where it is first drawn, changes, or is far from where it was last written.
  const colours = ruleColours(steps);
  doc.font(FONT.regular).fontSize(LEVEL_FONT);
  const last = new Map<string, { db: number; x1: number }>();
  const levelLines: (LevelLine & { colour: string })[] = [];
  for (const s of shown) {
    const x0 = px(s.from);
    const before = last.get(s.ruleId);
    last.set(s.ruleId, { db: s.db, x1: px(s.to) });
    if (before !== undefined && before.db === s.db && x0 - before.x1 < RELABEL_PT) continue;
    const text = `${s.db.toFixed(1)} dB`;
    levelLines.push({ x0, x1: px(s.to), y: py(s.db), text, w: doc.widthOfString(text), toEnd: s.to >= axis.to, colour: colours.get(s.ruleId)! });
  }
  // The lines themselves are obstacles too: every drawn step, not only the labelled ones.
  const allLines = shown.map((s) => ({ x0: px(s.from), x1: px(s.to), y: py(s.db) }));
  const levelLabels = placeLevelLabels(box, margin, levelLines, [...traces, ...allLines.map((l) => ({ x: l.x0, y: l.y - 0.6, w: Math.max(l.x1 - l.x0, 0.5), h: 1.2 }))]);

  const zone = zoneName(axis.from, axis.to, clock);
  const axisTitle = axis.narrowed
    ? `UK time (${zone}); the axis spans ${londonTimeOfDay(axis.from, clock)}–${londonTimeOfDay(axis.to, clock)}, the only part of this chart's period with measurements`
    : `UK time (${zone})`;

  // The legend, wrapping within the frame.
  const right = frame.x + frame.w;
  const legend: { x: number; y: number; label: string; kind: LegendKind; colour?: string }[] = [];
  let y = box.y + box.h + 30;
  let x = box.x;
  doc.font(FONT.regular).fontSize(6.5);
  const item = (kind: LegendKind, label: string, colour?: string): void => {
    const w = 16 + doc.widthOfString(label) + 12;
    if (x + w - 12 > right && x > box.x) {
      x = box.x;
      y += 11;
    }
    legend.push({ x, y, label, kind, ...(colour === undefined ? {} : { colour }) });
    x += w;
  };
  item('LAeq', `LAeq, ${series.deviceId}`);
  item('LAFmax', `LAFmax, ${series.deviceId}`);
  for (const [ruleId, colour] of colours) {
    const mine = shown.filter((s) => s.ruleId === ruleId);
    if (mine.length === 0) continue;
    item('rule', `${mine[0]!.label}, as applied: ${levelsText(mine.map((s) => s.db))}`, colour);
  }
  if (nightIntervals(axis.from, axis.to).length > 0) item('night', 'Night (23:00–07:00)');
  if (marks.events.some((e) => e.end >= axis.from && e.start <= axis.to)) item('event', items.length > 0 ? 'Event (lettered above, see the key)' : 'Event');
  item('diary', 'Diary entry (D1, …)');
  y += 8;
  // A narrowed axis follows the monitor's own marks; a diary entry elsewhere in the window is named, not lost.
  const off = marks.diary.filter((d) => d.at < axis.from || d.at > axis.to);
  let offAxis: { x: number; y: number; text: string } | null = null;
  if (off.length > 0) {
    const text = `Also in this chart's period, outside the time shown: diary ${off.length === 1 ? 'entry' : 'entries'} ${off.map((d) => `${d.label} at ${londonTimeOfDay(d.at, clock).slice(0, 5)}`).join(', ')}.`;
    doc.font(FONT.regular).fontSize(6.5);
    offAxis = { x: box.x, y: y - 3, text };
    y += doc.heightOfString(text, { width: box.w }) + 2;
  }

  // The key: every letter, two to a line.
  const keyTop = y - frame.y;
  const key: { x: number; y: number; w: number; letter: string; text: string }[] = [];
  let keyTitle: { x: number; y: number } | null = null;
  if (items.length > 0) {
    y += 3;
    keyTitle = { x: box.x, y };
    y += 10;
    const colW = (frame.w - 8) / 2;
    doc.font(FONT.regular).fontSize(MARKER_FONT + 0.5);
    for (let i = 0; i < items.length; i += 2) {
      let rowH = 0;
      for (const [c, it] of [items[i], items[i + 1]].entries()) {
        if (it === undefined) continue;
        const text = `${it.name}: ${it.detail}`;
        rowH = Math.max(rowH, doc.heightOfString(text, { width: colW - 16 }));
        key.push({ x: box.x + c * (colW + 8), y, w: colW, letter: it.letter, text });
      }
      y += rowH + 1.5;
    }
  }
  return { axis, box, lo, hi, px, py, maxGapMs, steps, colours, traces, levelLines, levelLabels, items, markers, markerRows, axisTitle, legend, key, keyTitle, offAxis, height: y - frame.y, keyTop };
}

function line(doc: Doc, series: LevelSeries, values: readonly (number | null)[], l: ChartLayout): void {
  const { px, py, maxGapMs, axis } = l;
  let open = false;
  let prevT = Number.NEGATIVE_INFINITY;
  const lone: [number, number][] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = series.t[i]!;
    if (t < axis.from || t > axis.to) {
      open = false;
      prevT = Number.NEGATIVE_INFINITY;
      continue;
    }
    if (v === null || t - prevT > maxGapMs) open = false;
    if (v !== null) {
      if (open) doc.lineTo(px(t), py(v));
      else {
        doc.moveTo(px(t), py(v));
        // A point with no neighbour to join is drawn as a dot, so a lone reading is not lost.
        const next = values[i + 1];
        if (next === null || next === undefined || series.t[i + 1]! - t > maxGapMs) lone.push([px(t), py(v)]);
      }
      open = true;
    }
    prevT = t;
  }
  doc.stroke();
  for (const [x, y] of lone) doc.circle(x, y, 1.3).fill();
}

/** Draws the chart laid out by layoutChart(); returns the y of its foot (on the page it ends on). */
export function drawChart(doc: Doc, l: ChartLayout, series: LevelSeries, marks: ChartMarks, colours: SeriesColours, clock: LondonClock, overflow?: KeyOverflow): number {
  const { box, px, py, lo, hi, axis } = l;
  doc.save();
  for (const n of nightIntervals(axis.from, axis.to)) doc.rect(px(n.from), box.y, px(n.to) - px(n.from), box.h).fill(NIGHT);
  for (const e of marks.events) {
    if (e.end < axis.from || e.start > axis.to) continue;
    const x0 = px(Math.max(axis.from, e.start));
    doc.rect(x0, box.y, Math.max(1.2, px(Math.min(axis.to, e.end)) - x0), box.h).fillOpacity(0.25).fill(EVENT);
  }
  doc.fillOpacity(1);

  // Grid and axes: a line every 10 dB; time ticks in UK local time.
  doc.font(FONT.regular).fontSize(6.5).fillColor(COLOUR.muted).lineWidth(0.3).strokeColor('#cccccc');
  for (let v = lo; v <= hi; v += 10) {
    doc.moveTo(box.x, py(v)).lineTo(box.x + box.w, py(v)).stroke();
    doc.text(String(v), box.x - 22, py(v) - 3, { width: 18, align: 'right', lineBreak: false });
  }
  doc.fontSize(TICK_FONT);
  for (const tick of timeTicks(axis.from, axis.to, box.w, clock)) {
    const x = px(tick.t);
    doc.moveTo(x, box.y + box.h).lineTo(x, box.y + box.h + (tick.label === null ? 2 : 3.5)).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
    if (tick.label !== null) doc.text(tick.label, x - 15, box.y + box.h + 5, { width: 30, align: 'center', lineBreak: false });
  }
  doc.fontSize(7).fillColor(COLOUR.text);
  doc.text(l.axisTitle, box.x, box.y + box.h + 14, { width: box.w, align: 'center', lineBreak: false });
  const yLabel = 'Sound level, dB(A)';
  const yw = doc.widthOfString(yLabel);
  doc.save().rotate(-90, { origin: [box.x - 30, box.y + box.h / 2] });
  doc.text(yLabel, box.x - 30 - yw / 2, box.y + box.h / 2 - 4, { lineBreak: false });
  doc.restore();
  doc.rect(box.x, box.y, box.w, box.h).lineWidth(0.6).strokeColor(COLOUR.rule).stroke();

  // The levels.
  doc.lineWidth(0.5).strokeColor(colours.LAFmax).fillColor(colours.LAFmax);
  line(doc, series, series.LAFmax, l);
  doc.lineWidth(0.9).strokeColor(colours.LAeq).fillColor(colours.LAeq);
  line(doc, series, series.LAeq, l);

  // The thresholds as steps: joined to the same rule's previous level where it follows on directly.
  let prev = new Map<string, ThresholdStep>();
  for (const s of l.steps.filter(drawable)) {
    const colour = l.colours.get(s.ruleId)!;
    const x0 = px(s.from);
    doc.lineWidth(0.9).dash(4, { space: 2.5 }).strokeColor(colour);
    const p = prev.get(s.ruleId);
    if (p !== undefined && p.to === s.from && p.db !== s.db) doc.moveTo(x0, py(p.db)).lineTo(x0, py(s.db)).stroke();
    doc.moveTo(x0, py(s.db)).lineTo(px(s.to), py(s.db)).stroke().undash();
    prev = new Map(prev).set(s.ruleId, s);
  }
  doc.font(FONT.regular).fontSize(LEVEL_FONT);
  for (const lab of l.levelLabels) {
    const ln = l.levelLines[lab.line]!;
    if (!lab.inMargin) doc.rect(lab.x, lab.y, lab.w, lab.h).fill('#ffffff');
    doc.fillColor(ln.colour).text(lab.text, lab.x + 1, lab.y + 0.6, { lineBreak: false });
  }

  // Exhibits and events: a tick at the plot's top edge for each, its letter (or range) above.
  doc.font(FONT.bold).fontSize(MARKER_FONT);
  for (const m of l.markers) {
    const yText = box.y - 3 - (m.row + 1) * MARKER_ROW;
    const yFoot = yText + MARKER_ROW - 0.5;
    doc.lineWidth(0.4).strokeColor(EVENT);
    for (const x of m.xs) doc.moveTo(x, box.y + 3).lineTo(x, box.y - 1).stroke();
    if (m.xs.length > 1) doc.moveTo(Math.min(...m.xs), box.y - 1).lineTo(Math.max(...m.xs), box.y - 1).stroke();
    const anchor = Math.min(Math.max(m.x + m.w / 2, Math.min(...m.xs)), Math.max(...m.xs));
    doc.moveTo(anchor, yFoot).lineTo(anchor, box.y - 1).stroke();
    doc.fillColor(EVENT).text(m.text, m.x + 1, yText + 0.5, { lineBreak: false });
  }
  // Diary markers; a label close to the one before it goes a line higher, so none is written over another.
  doc.font(FONT.regular).fontSize(6);
  let lastX = Number.NEGATIVE_INFINITY;
  let level = 0;
  for (const d of [...marks.diary].sort((a, b) => a.at - b.at)) {
    if (d.at < axis.from || d.at > axis.to) continue;
    const x = px(d.at);
    level = x - lastX < DIARY_LABEL_ROOM ? level + 1 : 0;
    lastX = x;
    doc.polygon([x, box.y + box.h - 9], [x - 4, box.y + box.h - 1], [x + 4, box.y + box.h - 1]).fill(DIARY);
    doc.fillColor(DIARY).text(d.label, x - 15, box.y + box.h - 18 - level * 7, { width: 30, align: 'center', lineBreak: false });
  }
  doc.restore();
  if (series.t.length === 0) {
    doc.font(FONT.bold).fontSize(10).fillColor(COLOUR.muted).text('No measurements in this period', box.x, box.y + box.h / 2 - 5, { width: box.w, align: 'center', lineBreak: false });
  }
  drawLegend(doc, l, colours);
  if (l.offAxis !== null) doc.font(FONT.regular).fontSize(6.5).fillColor(COLOUR.text).text(l.offAxis.text, l.offAxis.x, l.offAxis.y, { width: l.box.w });
  return drawKey(doc, l, overflow);
}
