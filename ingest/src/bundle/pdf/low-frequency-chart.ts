/**
 * One low-frequency spectrum chart (issue 16), vector paths: the event's
 * Z-weighted Leq in each 1/3-octave band from 10 to 160 Hz (solid), the
 * background before it (dashed) and, when configured, the criterion curve
 * (dash-dot, with its points marked), on a dB axis of whole 10 dB steps. The
 * bands are a third of an octave apart, so they are equally spaced: the
 * frequency axis is logarithmic, as spectra are drawn.
 */
import type { Box } from './chart.ts';
import { LF_BANDS, type LowFrequencyCriterionCurve, type LowFrequencyEvent } from '../low-frequency-model.ts';
import { COLOUR, type Doc, FONT } from './layout.ts';

export const LF_COLOURS = { event: '#b03a2e', background: '#5d6d7e', criterion: '#1f4e9c' } as const;

/** Whole 10 dB steps around every value drawn, at least 40 dB tall. */
function range(values: readonly (number | null)[]): [number, number] {
  const v = values.filter((x): x is number => x !== null);
  if (v.length === 0) return [0, 60];
  let lo = Math.floor((Math.min(...v) - 3) / 10) * 10;
  const hi = Math.ceil((Math.max(...v) + 3) / 10) * 10;
  if (hi - lo < 40) lo = hi - 40;
  return [lo, hi];
}

function polyline(doc: Doc, values: readonly (number | null)[], px: (k: number) => number, py: (v: number) => number): void {
  let open = false;
  values.forEach((v, k) => {
    if (v === null) {
      open = false;
      return;
    }
    if (open) doc.lineTo(px(k), py(v));
    else doc.moveTo(px(k), py(v));
    open = true;
  });
}

export function drawLowFrequencyChart(doc: Doc, box: Box, e: LowFrequencyEvent, criterion: LowFrequencyCriterionCurve | null): void {
  const [lo, hi] = range([...e.levels, ...e.background.levels, ...(criterion?.levelsDb ?? [])]);
  const n = LF_BANDS.length;
  const px = (k: number): number => box.x + ((k + 0.5) / n) * box.w;
  const py = (v: number): number => box.y + box.h - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * box.h;
  doc.save();
  doc.font(FONT.regular).fontSize(6.5).fillColor(COLOUR.muted).lineWidth(0.3).strokeColor('#cccccc');
  for (let v = lo; v <= hi; v += 10) {
    doc.moveTo(box.x, py(v)).lineTo(box.x + box.w, py(v)).stroke();
    doc.text(String(v), box.x - 22, py(v) - 3, { width: 18, align: 'right', lineBreak: false });
  }
  LF_BANDS.forEach((b, k) => {
    doc.moveTo(px(k), box.y + box.h).lineTo(px(k), box.y + box.h + 3).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
    doc.fillColor(COLOUR.muted).text(b, px(k) - 14, box.y + box.h + 5, { width: 28, align: 'center', lineBreak: false });
  });
  doc.fontSize(7).fillColor(COLOUR.text).text('1/3-octave band, nominal midband frequency (Hz)', box.x, box.y + box.h + 15, { width: box.w, align: 'center', lineBreak: false });
  const yLabel = 'Leq per band, dB (Z-weighted)';
  const yw = doc.widthOfString(yLabel);
  doc.save().rotate(-90, { origin: [box.x - 30, box.y + box.h / 2] });
  doc.text(yLabel, box.x - 30 - yw / 2, box.y + box.h / 2 - 4, { lineBreak: false });
  doc.restore();
  doc.rect(box.x, box.y, box.w, box.h).lineWidth(0.6).strokeColor(COLOUR.rule).stroke();

  if (criterion !== null) {
    doc.lineWidth(1).dash(6, { space: 2 }).strokeColor(LF_COLOURS.criterion);
    polyline(doc, criterion.levelsDb, px, py);
    doc.stroke().undash();
    criterion.levelsDb.forEach((v, k) => doc.rect(px(k) - 1.6, py(v) - 1.6, 3.2, 3.2).fill(LF_COLOURS.criterion));
  }
  doc.lineWidth(0.9).dash(2.5, { space: 2 }).strokeColor(LF_COLOURS.background);
  polyline(doc, e.background.levels, px, py);
  doc.stroke().undash();
  e.background.levels.forEach((v, k) => { if (v !== null) doc.circle(px(k), py(v), 1.5).fill(LF_COLOURS.background); });
  doc.lineWidth(1.4).strokeColor(LF_COLOURS.event);
  polyline(doc, e.levels, px, py);
  doc.stroke();
  e.levels.forEach((v, k) => { if (v !== null) doc.circle(px(k), py(v), 2).fill(LF_COLOURS.event); });
  doc.restore();
  if (e.levels.every((v) => v === null)) {
    doc.font(FONT.bold).fontSize(9).fillColor(COLOUR.muted).text('No band levels were recorded over this event', box.x, box.y + box.h / 2 - 5, { width: box.w, align: 'center', lineBreak: false });
  }

  // The legend.
  let x = box.x;
  const y = box.y + box.h + 30;
  const item = (draw: (x0: number, y0: number) => void, label: string): void => {
    draw(x, y);
    doc.fillColor(COLOUR.text).font(FONT.regular).fontSize(6.5).text(label, x + 16, y - 3.5, { lineBreak: false });
    x += 16 + doc.widthOfString(label) + 14;
  };
  item((x0, y0) => doc.moveTo(x0, y0).lineTo(x0 + 12, y0).lineWidth(1.4).strokeColor(LF_COLOURS.event).stroke(), 'Event');
  item((x0, y0) => doc.moveTo(x0, y0).lineTo(x0 + 12, y0).lineWidth(0.9).dash(2.5, { space: 2 }).strokeColor(LF_COLOURS.background).stroke().undash(), 'Background before it');
  if (criterion !== null) item((x0, y0) => doc.moveTo(x0, y0).lineTo(x0 + 12, y0).lineWidth(1).dash(6, { space: 2 }).strokeColor(LF_COLOURS.criterion).stroke().undash(), `Criterion: ${criterion.name}`);
}
