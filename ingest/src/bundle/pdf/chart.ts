/**
 * One level chart drawn with vector paths: LAeq and LAFmax lines, rule
 * threshold lines, night hours (23:00–07:00, Noise Act 1996 s.2(6)) shaded,
 * events as bands and diary entries as markers. A gap in the data breaks the
 * lines rather than bridging it.
 */
import { londonDate, londonLocalToUtc, nextDate } from '../../cases/london-time.ts';
import type { LondonClock } from '../london-clock.ts';
import type { LevelSeries } from '../model.ts';
import { COLOUR, type Doc, FONT } from './layout.ts';

export interface ChartMarks {
  readonly thresholds: readonly { label: string; db: number }[];
  readonly events: readonly { start: number; end: number; label: string }[];
  readonly diary: readonly { at: number; label: string }[];
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const LAEQ = '#1f4e9c';
const LAFMAX = '#d9822b';
const THRESHOLD = '#c0392b';
const EVENT = '#e74c3c';
const DIARY = '#1e8449';
const NIGHT = '#e6e9f2';
const HOUR_MS = 3_600_000;
/** Minimum distance between event labels, pt. */
const LABEL_GAP = 24;

/** Noise Act 1996 s.2(6): night hours are 23:00 to 07:00. */
export function nightIntervals(from: number, to: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let date = londonDate(from - 24 * HOUR_MS); ; date = nextDate(date)) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const start = londonLocalToUtc(y, m, d, 23, 0)[0]!;
    if (start >= to) break;
    const [y2, m2, d2] = nextDate(date).split('-').map(Number) as [number, number, number];
    const end = londonLocalToUtc(y2, m2, d2, 7, 0)[0]!;
    if (end > from) out.push({ from: Math.max(from, start), to: Math.min(to, end) });
  }
  return out;
}

/** A dB axis from a multiple of 10 at or below the data to one at or above, at least 20–90 dB. */
function dbRange(series: LevelSeries, marks: ChartMarks): [number, number] {
  let lo = 20;
  let hi = 90;
  for (const v of series.LAFmax) if (v !== null && v > hi) hi = v;
  for (const v of series.LAeq) if (v !== null && v < lo) lo = v;
  for (const t of marks.thresholds) hi = Math.max(hi, t.db);
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

export function drawChart(doc: Doc, box: Box, series: LevelSeries, marks: ChartMarks, clock: LondonClock): void {
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

  // Grid and axes: a line every 10 dB, a tick every hour (labels in UK local time).
  doc.font(FONT.regular).fontSize(6.5).fillColor(COLOUR.muted).lineWidth(0.3).strokeColor('#cccccc');
  for (let v = lo; v <= hi; v += 10) {
    doc.moveTo(box.x, py(v)).lineTo(box.x + box.w, py(v)).stroke();
    doc.text(String(v), box.x - 22, py(v) - 3, { width: 18, align: 'right', lineBreak: false });
  }
  const spanH = (to - from) / HOUR_MS;
  const every = spanH > 16 ? 2 : 1;
  for (let t = Math.ceil(from / HOUR_MS) * HOUR_MS; t <= to; t += HOUR_MS) {
    const local = new Date(t + clock.offsetMs(t)).getUTCHours();
    if (local % every !== 0) continue;
    doc.moveTo(px(t), box.y + box.h).lineTo(px(t), box.y + box.h + 3).strokeColor(COLOUR.rule).stroke();
    doc.text(`${String(local).padStart(2, '0')}:00`, px(t) - 12, box.y + box.h + 5, { width: 24, align: 'center', lineBreak: false });
  }
  doc.save().rotate(-90, { origin: [box.x - 30, box.y + box.h / 2] });
  doc.text('dB', box.x - 40, box.y + box.h / 2 - 3, { width: 20, align: 'center', lineBreak: false });
  doc.restore();
  doc.rect(box.x, box.y, box.w, box.h).lineWidth(0.6).strokeColor(COLOUR.rule).stroke();

  // The levels.
  const step = series.t.length > 1 ? (series.t[series.t.length - 1]! - series.t[0]!) / (series.t.length - 1) : 60_000;
  const maxGap = Math.max(3 * step, 120_000);
  doc.lineWidth(0.5).strokeColor(LAFMAX);
  line(doc, series, series.LAFmax, px, py, maxGap);
  doc.stroke();
  doc.lineWidth(0.9).strokeColor(LAEQ);
  line(doc, series, series.LAeq, px, py, maxGap);
  doc.stroke();

  for (const t of marks.thresholds) {
    doc.moveTo(box.x, py(t.db)).lineTo(box.x + box.w, py(t.db)).lineWidth(0.8).dash(4, { space: 3 }).strokeColor(THRESHOLD).stroke().undash();
    doc.fillColor(THRESHOLD).fontSize(6).text(t.label, box.x + box.w + 3, py(t.db) - 3, { width: 60, lineBreak: false });
  }
  doc.fontSize(6);
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
  legend(doc, box);
}

function legend(doc: Doc, box: Box): void {
  const y = box.y + box.h + 17;
  let x = box.x;
  const item = (draw: () => void, label: string): void => {
    draw();
    doc.fillColor(COLOUR.text).font(FONT.regular).fontSize(6.5).text(label, x + 16, y - 3, { lineBreak: false });
    x += 16 + doc.widthOfString(label) + 14;
  };
  item(() => doc.moveTo(x, y).lineTo(x + 12, y).lineWidth(1.2).strokeColor(LAEQ).stroke(), 'LAeq');
  item(() => doc.moveTo(x, y).lineTo(x + 12, y).lineWidth(0.8).strokeColor(LAFMAX).stroke(), 'LAFmax');
  item(() => doc.moveTo(x, y).lineTo(x + 12, y).lineWidth(0.8).dash(4, { space: 3 }).strokeColor(THRESHOLD).stroke().undash(), 'Rule threshold');
  item(() => doc.rect(x, y - 4, 12, 8).fill(NIGHT), 'Night (23:00–07:00)');
  item(() => doc.rect(x, y - 4, 12, 8).fillOpacity(0.25).fill(EVENT).fillOpacity(1), 'Event (exhibit or no.)');
  item(() => doc.polygon([x + 6, y - 4], [x + 2, y + 4], [x + 10, y + 4]).fill(DIARY), 'Diary entry');
}
