/**
 * A chart's time axis (issue 10): the span it covers and its ticks, in UK
 * local time. The axis is the chart's window (a night, noon to noon) unless
 * everything the chart has to show — measurements, events, exhibits, diary
 * entries — lies in a small part of it (a deployment that began minutes before
 * the export, a ten-second period): then the axis spans that part, so the
 * levels are drawn at a readable scale instead of as a sliver, and the axis
 * title says so. Labels step by seconds for spans of a few minutes and less.
 */
import { chooseGrid } from '../../timeline/buckets.ts';
import type { LondonClock } from '../london-clock.ts';
import type { LevelSeries } from '../model.ts';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
/** Label steps to choose from, s: the finest whose labels do not crowd is used. */
const MINUTE_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 14_400, 21_600] as const;
const SECOND_STEPS = [1, 2, 5, 10, 15, 30] as const;
/** Seconds are labelled only on axes shorter than this (a longer one has at least three minute labels). */
const SECONDS_BELOW_MS = 3 * MINUTE_MS;
/** Room one label needs on the axis at TICK_FONT, pt: "HH:MM" and "HH:MM:SS". */
export const TICK_ROOM = { minutes: 18, seconds: 28 } as const;
export const TICK_FONT = 6;
/** The axis narrows to the marks when they span less than this share of the window. */
const ZOOM_BELOW = 1 / 6;
/** A narrowed axis is at least this long, and padded by this share of its span either side. */
const MIN_ZOOMED_MS = 10 * SECOND_MS;
const ZOOM_PAD = 0.08;
/** Points per chart the export reads (export/night-series.ts CHART_POINTS): a lone point's bucket length. */
const CHART_POINTS = 720;

export interface TimeAxis {
  readonly from: number;
  readonly to: number;
  /** True when the axis is narrower than the chart's window: only part of it held anything. */
  readonly narrowed: boolean;
}

/** One bucket's length: the smallest step between points, or the export's grid step for a lone point. */
export function bucketMs(series: LevelSeries): number {
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < series.t.length; i++) step = Math.min(step, series.t[i]! - series.t[i - 1]!);
  if (Number.isFinite(step) && step > 0) return step;
  const from = Date.parse(series.from);
  const to = Date.parse(series.to);
  return chooseGrid(from, to, CHART_POINTS)?.stepMs ?? MINUTE_MS;
}

/** The axis for a window [from, to) whose marks (points with their buckets, events, exhibits, diary) cover `spans`. */
export function timeAxis(from: number, to: number, spans: readonly { from: number; to: number }[]): TimeAxis {
  const inside = spans.map((s) => ({ from: Math.max(from, s.from), to: Math.min(to, Math.max(s.to, s.from)) })).filter((s) => s.to >= s.from && s.from < to);
  if (inside.length === 0) return { from, to, narrowed: false };
  const lo = Math.min(...inside.map((s) => s.from));
  const hi = Math.max(...inside.map((s) => s.to));
  if (hi - lo >= ZOOM_BELOW * (to - from)) return { from, to, narrowed: false };
  const span = Math.max(hi - lo, MIN_ZOOMED_MS);
  const pad = span * ZOOM_PAD + (span - (hi - lo)) / 2;
  // Whole seconds at the ends, inside the window.
  const a = Math.max(from, Math.floor((lo - pad) / SECOND_MS) * SECOND_MS);
  const b = Math.min(to, Math.ceil((hi + pad) / SECOND_MS) * SECOND_MS);
  return b - a >= to - from ? { from, to, narrowed: false } : { from: a, to: b, narrowed: true };
}

/**
 * Time-axis ticks in UK local time over [from, to] for an axis `width` pt wide:
 * the finest step at which labels fit, every tick labelled ("HH:MM", or
 * "HH:MM:SS" on an axis of a few minutes), plus unlabelled hour ticks where the
 * labels are sparser than hourly. UK offsets are whole hours, so a step of an
 * hour or less is aligned in UTC.
 */
export function timeTicks(from: number, to: number, width: number, clock: LondonClock): { t: number; label: string | null }[] {
  const spanS = (to - from) / SECOND_MS;
  const seconds = to - from < SECONDS_BELOW_MS;
  const steps: readonly number[] = seconds ? [...SECOND_STEPS, ...MINUTE_STEPS] : MINUTE_STEPS;
  const fits = (s: number): boolean => (s / spanS) * width >= (s < 60 ? TICK_ROOM.seconds : TICK_ROOM.minutes);
  const step = steps.find(fits) ?? 21_600;
  const grid = Math.min(step, 3600) * SECOND_MS;
  const out: { t: number; label: string | null }[] = [];
  for (let t = Math.ceil(from / grid) * grid; t <= to; t += grid) {
    const local = new Date(t + clock.offsetMs(t));
    const secondOfDay = local.getUTCHours() * 3600 + local.getUTCMinutes() * 60 + local.getUTCSeconds();
    const labelled = secondOfDay % step === 0;
    const text = local.toISOString().slice(11, step < 60 ? 19 : 16);
    if (labelled || (local.getUTCMinutes() === 0 && local.getUTCSeconds() === 0)) out.push({ t, label: labelled ? text : null });
  }
  return out;
}
