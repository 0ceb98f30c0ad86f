/**
 * One level chart of one monitor, drawn with vector paths: LAeq and LAFmax
 * lines in the monitor's colours, the thresholds its rules applied as step
 * lines, night hours (23:00–07:00, Noise Act 1996 s.2(6)) shaded, events as
 * bands and diary entries as markers. A gap in the data breaks the lines rather
 * than bridging it. Times on the axis are UK local time at a step that suits
 * the span (every minute for a few minutes, every hour for a day).
 */
import { nightOf } from '../chart-title.ts';
import { londonDate, nextDate } from '../../cases/london-time.ts';
import type { LondonClock } from '../london-clock.ts';
import type { LevelSeries, ThresholdSegment } from '../model.ts';
import { COLOUR, type Doc, FONT } from './layout.ts';

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
  readonly events: readonly { start: number; end: number; label: string }[];
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
const EVENT = '#e74c3c';
const DIARY = '#1e8449';
const NIGHT = '#e6e9f2';
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Minimum distance between event labels, pt. */
const LABEL_GAP = 24;
/** Time label steps to choose from, minutes: the finest whose labels do not crowd is used. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360] as const;
/** Room one "HH:MM" label needs on the axis, pt (at TICK_FONT). */
const TICK_ROOM = 18;
const TICK_FONT = 6;

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

/**
 * Time-axis ticks in UK local time over [from, to] for an axis `width` pt wide:
 * the finest step of TICK_STEPS at which labels fit, every tick labelled, plus
 * unlabelled hour ticks where the labels are sparser than hourly. UK offsets
 * are whole hours, so a step of an hour or less is aligned in UTC.
 */
export function timeTicks(from: number, to: number, width: number, clock: LondonClock): { t: number; label: string | null }[] {
  const spanMin = (to - from) / MINUTE_MS;
  const step: number = TICK_STEPS.find((s) => (s / spanMin) * width >= TICK_ROOM) ?? 360;
  const grid = Math.min(step, 60) * MINUTE_MS;
  const out: { t: number; label: string | null }[] = [];
  for (let t = Math.ceil(from / grid) * grid; t <= to; t += grid) {
    const local = new Date(t + clock.offsetMs(t));
    const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
    const labelled = minuteOfDay % step === 0;
    if (labelled || local.getUTCMinutes() === 0) out.push({ t, label: labelled ? local.toISOString().slice(11, 16) : null });
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
function dbRange(series: LevelSeries, marks: ChartMarks): [number, number] {
  let lo = 20;
  let hi = 90;
  for (const v of series.LAFmax) if (v !== null && v > hi) hi = v;
  for (const v of series.LAeq) if (v !== null && v < lo) lo = v;
  for (const t of marks.thresholds) {
    hi = Math.max(hi, t.db);
    lo = Math.min(lo, t.db);
  }
  return [Math.floor(lo / 10) * 10, Math.ceil((hi + 1) / 10) * 10];
}

function line(doc: Doc, series: LevelSeries, values: readonly (number | null)[], px: (t: number) => number, py: (v: number) => number, maxGapMs: number): void {
  let open = false;
  let prevT = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = series.t[i]!;
    if (v === null || t - prevT > maxGapMs) open = false;
    if (v !== null) {
      if (open) doc.lineTo(px(t), py(v));
      else doc.moveTo(px(t), py(v));
      open = true;
    }
    prevT = t;
  }
}

/** The colour of each rule's line, in order of first appearance. */
function ruleColours(steps: readonly ThresholdStep[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of steps) if (!out.has(s.ruleId)) out.set(s.ruleId, THRESHOLD_COLOURS[out.size % THRESHOLD_COLOURS.length]!);
  return out;
}

/** Thresholds not drawn: LC − LA is a difference of levels and has no place on a dB(A) axis. */
const drawable = (s: ThresholdStep): boolean => s.metric !== 'LCminusLA';

function drawThresholds(doc: Doc, box: Box, steps: readonly ThresholdStep[], px: (t: number) => number, py: (v: number) => number): void {
  const colours = ruleColours(steps);
  const placed: { x0: number; x1: number; y: number }[] = [];
  let prev: ThresholdStep | undefined;
  for (const s of steps.filter(drawable)) {
    const colour = colours.get(s.ruleId)!;
    const x0 = px(s.from);
    const x1 = px(s.to);
    doc.lineWidth(0.9).dash(4, { space: 2.5 }).strokeColor(colour);
    // A step: joined to the same rule's previous level where it follows on directly.
    if (prev !== undefined && prev.ruleId === s.ruleId && prev.to === s.from && prev.db !== s.db) doc.moveTo(x0, py(prev.db)).lineTo(x0, py(s.db)).stroke();
    doc.moveTo(x0, py(s.db)).lineTo(x1, py(s.db)).stroke().undash();
    // Each new level is labelled above its start, unless the label would overlap one already placed.
    const changed = prev === undefined || prev.ruleId !== s.ruleId || prev.db !== s.db;
    if (changed) {
      const text = `${prev?.ruleId === s.ruleId ? '' : `${s.label} `}${s.db.toFixed(1)} dB${s.metric === 'LAFmax' ? ' LAFmax' : ''}`;
      doc.font(FONT.regular).fontSize(5.8);
      const w = doc.widthOfString(text);
      const x = Math.min(Math.max(x0 + 1, box.x + 1), box.x + box.w - w - 1);
      const y = py(s.db) - 7.5;
      if (!placed.some((p) => Math.abs(p.y - y) < 7 && x < p.x1 && x + w > p.x0)) {
        doc.fillColor(colour).text(text, x, y, { lineBreak: false });
        placed.push({ x0: x, x1: x + w, y });
      }
    }
    prev = s;
  }
}

export function drawChart(doc: Doc, box: Box, series: LevelSeries, marks: ChartMarks, colours: SeriesColours, clock: LondonClock): void {
  const from = Date.parse(series.from);
  const to = Date.parse(series.to);
  const [lo, hi] = dbRange(series, marks);
  const px = (t: number): number => box.x + ((t - from) / (to - from)) * box.w;
  const py = (v: number): number => box.y + box.h - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * box.h;

  doc.save();
  for (const n of nightIntervals(from, to)) doc.rect(px(n.from), box.y, px(n.to) - px(n.from), box.h).fill(NIGHT);
  for (const e of marks.events) {
    const x0 = px(Math.max(from, e.start));
    doc.rect(x0, box.y, Math.max(1.2, px(Math.min(to, e.end)) - x0), box.h).fillOpacity(0.25).fill(EVENT);
  }
  doc.fillOpacity(1);

  // Grid and axes: a line every 10 dB; time ticks in UK local time.
  doc.font(FONT.regular).fontSize(6.5).fillColor(COLOUR.muted).lineWidth(0.3).strokeColor('#cccccc');
  for (let v = lo; v <= hi; v += 10) {
    doc.moveTo(box.x, py(v)).lineTo(box.x + box.w, py(v)).stroke();
    doc.text(String(v), box.x - 22, py(v) - 3, { width: 18, align: 'right', lineBreak: false });
  }
  doc.fontSize(TICK_FONT);
  for (const tick of timeTicks(from, to, box.w, clock)) {
    const x = px(tick.t);
    doc.moveTo(x, box.y + box.h).lineTo(x, box.y + box.h + (tick.label === null ? 2 : 3.5)).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
    if (tick.label !== null) doc.text(tick.label, x - 12, box.y + box.h + 5, { width: 24, align: 'center', lineBreak: false });
  }
  doc.fontSize(7).fillColor(COLOUR.text);
  doc.text(`UK time (${zoneName(from, to, clock)})`, box.x, box.y + box.h + 14, { width: box.w, align: 'center', lineBreak: false });
  const yLabel = 'Sound level, dB(A)';
  const yw = doc.widthOfString(yLabel);
  doc.save().rotate(-90, { origin: [box.x - 30, box.y + box.h / 2] });
  doc.text(yLabel, box.x - 30 - yw / 2, box.y + box.h / 2 - 4, { lineBreak: false });
  doc.restore();
  doc.rect(box.x, box.y, box.w, box.h).lineWidth(0.6).strokeColor(COLOUR.rule).stroke();

  // The levels.
  const step = series.t.length > 1 ? (series.t[series.t.length - 1]! - series.t[0]!) / (series.t.length - 1) : 60_000;
  const maxGap = Math.max(3 * step, 120_000);
  doc.lineWidth(0.5).strokeColor(colours.LAFmax);
  line(doc, series, series.LAFmax, px, py, maxGap);
  doc.stroke();
  doc.lineWidth(0.9).strokeColor(colours.LAeq);
  line(doc, series, series.LAeq, px, py, maxGap);
  doc.stroke();

  drawThresholds(doc, box, marks.thresholds, px, py);
  doc.font(FONT.regular).fontSize(6);
  // Labels closer than LABEL_GAP to the previous one are left out (the band still shows).
  let lastLabel = Number.NEGATIVE_INFINITY;
  for (const e of marks.events) {
    const x = px(Math.max(from, e.start));
    if (x - lastLabel < LABEL_GAP) continue;
    lastLabel = x;
    doc.fillColor(EVENT).text(e.label, x - 15, box.y - 8, { width: 30, align: 'center', lineBreak: false });
  }
  for (const d of marks.diary) {
    const x = px(d.at);
    doc.polygon([x, box.y + box.h - 9], [x - 4, box.y + box.h - 1], [x + 4, box.y + box.h - 1]).fill(DIARY);
    doc.fillColor(DIARY).text(d.label, x - 15, box.y + box.h - 18, { width: 30, align: 'center', lineBreak: false });
  }
  doc.restore();
  if (series.t.length === 0) {
    doc.font(FONT.bold).fontSize(10).fillColor(COLOUR.muted).text('No measurements in this period', box.x, box.y + box.h / 2 - 5, { width: box.w, align: 'center', lineBreak: false });
  }
  legend(doc, box, series.deviceId, colours, marks.thresholds);
}

/** The legend under the axis title, wrapping onto a second line when it must. */
function legend(doc: Doc, box: Box, deviceId: string, colours: SeriesColours, steps: readonly ThresholdStep[]): void {
  let y = box.y + box.h + 30;
  let x = box.x;
  doc.font(FONT.regular).fontSize(6.5);
  const item = (draw: (x: number, y: number) => void, label: string): void => {
    const w = 16 + doc.widthOfString(label) + 12;
    if (x + w > box.x + box.w + 40) {
      x = box.x;
      y += 11;
    }
    draw(x, y);
    doc.fillColor(COLOUR.text).font(FONT.regular).fontSize(6.5).text(label, x + 16, y - 3.5, { lineBreak: false });
    x += w;
  };
  item((x0, y0) => doc.moveTo(x0, y0).lineTo(x0 + 12, y0).lineWidth(1.2).strokeColor(colours.LAeq).stroke(), `LAeq, ${deviceId}`);
  item((x0, y0) => doc.moveTo(x0, y0).lineTo(x0 + 12, y0).lineWidth(0.8).strokeColor(colours.LAFmax).stroke(), `LAFmax, ${deviceId}`);
  const rc = ruleColours(steps);
  for (const s of steps.filter(drawable)) {
    if (!rc.has(s.ruleId)) continue;
    const colour = rc.get(s.ruleId)!;
    rc.delete(s.ruleId);
    item((x0, y0) => doc.moveTo(x0, y0).lineTo(x0 + 12, y0).lineWidth(0.8).dash(4, { space: 2.5 }).strokeColor(colour).stroke().undash(), `${s.label} (as applied)`);
  }
  item((x0, y0) => doc.rect(x0, y0 - 4, 12, 8).fill(NIGHT), 'Night (23:00–07:00)');
  item((x0, y0) => doc.rect(x0, y0 - 4, 12, 8).fillOpacity(0.25).fill(EVENT).fillOpacity(1), 'Event (exhibit or no.)');
  item((x0, y0) => doc.polygon([x0 + 6, y0 - 4], [x0 + 2, y0 + 4], [x0 + 10, y0 + 4]).fill(DIARY), 'Diary entry');
}
