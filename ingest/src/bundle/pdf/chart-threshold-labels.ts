/**
 * Where a chart's threshold values are written (issue 10): never over the
 * measured levels. A level that runs to the end of the axis is written at the
 * line's end, in the margin right of the plot; any other is written on a white
 * box just above or below its line (or beside a line too short to hold it), at
 * the first place that touches no trace, no other line and no other label. A
 * value with no such place is not written on the plot: the legend states every
 * level each rule applied on the chart, and the schedule of events each event's.
 */
import type { Box } from './chart.ts';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** One level to write: the line [x0, x1] at height y. */
export interface LevelLine {
  readonly x0: number;
  readonly x1: number;
  readonly y: number;
  readonly text: string;
  readonly w: number;
  /** True when the level holds to the end of the axis (it may go in the right margin). */
  readonly toEnd: boolean;
}

export interface PlacedLabel extends Rect {
  readonly text: string;
  readonly line: number;
  readonly inMargin: boolean;
}

export const LABEL_HEIGHT = 7;

export function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * The trace's segments as boxes: each drawn stretch between two consecutive
 * points (and a lone point as a small square), so a label that intersects
 * none of them covers no part of the line.
 */
export function traceBoxes(t: readonly number[], values: readonly (number | null)[], px: (t: number) => number, py: (v: number) => number, maxGapMs: number): Rect[] {
  const out: Rect[] = [];
  const pad = 0.6;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const prev = i > 0 ? values[i - 1] : null;
    const joined = prev !== null && prev !== undefined && t[i]! - t[i - 1]! <= maxGapMs;
    const x1 = px(t[i]!);
    const y1 = py(v);
    const x0 = joined ? px(t[i - 1]!) : x1;
    const y0 = joined ? py(prev) : y1;
    out.push({ x: Math.min(x0, x1) - pad, y: Math.min(y0, y1) - pad, w: Math.abs(x1 - x0) + 2 * pad, h: Math.abs(y1 - y0) + 2 * pad });
  }
  return out;
}

/** Places each level's label; `margin` is the room right of the plot, pt. */
export function placeLevelLabels(box: Box, margin: number, lines: readonly LevelLine[], traces: readonly Rect[]): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const h = LABEL_HEIGHT;
  const lineRects: Rect[] = lines.map((l) => ({ x: l.x0, y: l.y - 0.6, w: Math.max(l.x1 - l.x0, 0.5), h: 1.2 }));
  const clear = (r: Rect, own: number): boolean =>
    !placed.some((p) => intersects(p, r)) && !lineRects.some((l, k) => k !== own && intersects(l, r)) && !traces.some((t) => intersects(t, r));
  lines.forEach((l, k) => {
    const w = l.w + 2;
    // At the line's end, right of the plot, moved up or down past a label already there.
    if (l.toEnd && w <= margin + 1) {
      for (const dy of [0, -h, h, -2 * h, 2 * h]) {
        const r = { x: box.x + box.w + 2, y: l.y - h / 2 + dy, w, h };
        if (r.y >= box.y - h && r.y + r.h <= box.y + box.h + h && !placed.some((p) => intersects(p, r))) {
          placed.push({ ...r, text: l.text, line: k, inMargin: true });
          return;
        }
      }
    }
    // Inside the plot: along the line, above then below it; then beside a line too short to hold it.
    const xs: number[] = [];
    const room = l.x1 - l.x0 - w;
    for (let i = 0; i <= 8 && room >= 0; i++) xs.push(l.x0 + (room * i) / 8);
    const candidates: { x: number; y: number }[] = [];
    for (const x of xs) candidates.push({ x, y: l.y - h - 0.8 }, { x, y: l.y + 0.8 });
    for (const x of [l.x1 + 2, l.x0 - w - 2]) candidates.push({ x, y: l.y - h / 2 }, { x, y: l.y - h - 0.8 }, { x, y: l.y + 0.8 });
    for (const c of candidates) {
      const r = { x: c.x, y: c.y, w, h };
      const inside = r.x >= box.x + 1 && r.x + r.w <= box.x + box.w - 1 && r.y >= box.y + 1 && r.y + r.h <= box.y + box.h - 1;
      if (inside && clear(r, k)) {
        placed.push({ ...r, text: l.text, line: k, inMargin: false });
        return;
      }
    }
  });
  return placed;
}
