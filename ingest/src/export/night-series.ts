/**
 * One chart per night and monitor (issue 5; issue 10 item 6: two monitors'
 * levels are never merged): local noon to the next local noon (Europe/London),
 * so each night hour (Noise Act 1996 s.2(6): 23:00–07:00) sits whole in the
 * middle of one chart and the day either side is still shown. Points come from
 * the rollups (energy means) and the level blocks at the edges, as the
 * timeline's level-series reader gives them (chart-levels.ts), over this case's
 * deployment spans only; nights with nothing measured get no chart. When what
 * was measured covers less than a sixth of the window (a short deployment, a
 * demo's live minutes), its points are read again on a grid over that part
 * alone — down to 1 s — so the chart, which then narrows its axis to it
 * (bundle/pdf/chart-axis.ts, the same sixth), shows the levels, not a few
 * 2-minute means.
 */
import { londonDate, londonLocalToUtc, nextDate } from '../cases/london-time.ts';
import type { Db } from '../db/open.ts';
import { chartTitle } from '../bundle/chart-title.ts';
import type { LevelSeries } from '../bundle/model.ts';
import type { BlockReader } from '../store/level-blocks/index.ts';
import { chooseGrid, type Grid } from '../timeline/index.ts';
import { createChartLevelsReader } from './chart-levels.ts';
import type { Period } from './period.ts';
import { type DeploymentSpan, clipSpans } from './spans.ts';

/** Points per chart: 24 h at 2 minutes — finer than an A4 chart can show. */
export const CHART_POINTS = 720;
const NOON = 12;
/** bundle/pdf/chart-axis.ts ZOOM_BELOW: a chart narrows to what it holds below this share of its window. */
const REFINE_BELOW = 1 / 6;

function noon(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  // 12:00 exists exactly once on every UK date (the clocks change at 01:00 UTC).
  return londonLocalToUtc(y ?? 0, m ?? 0, d ?? 0, NOON, 0)[0]!;
}

/** The noon-to-noon windows overlapping the period, clipped to it. */
export function nightWindows(period: Period): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let date = londonDate(period.from - 86_400_000); ; date = nextDate(date)) {
    const start = noon(date);
    if (start >= period.to) break;
    const end = noon(nextDate(date));
    if (end > period.from) out.push({ from: Math.max(start, period.from), to: Math.min(end, period.to) });
  }
  return out;
}

/** The buckets holding a level: from the first one's start to the last one's end, or null. */
function extent(s: { LAeq: readonly (number | null)[]; LAFmax: readonly (number | null)[] }, grid: Grid): { from: number; to: number } | null {
  let first = -1;
  let last = -1;
  for (let b = 0; b < grid.count; b++) {
    if ((s.LAeq[b] ?? null) === null && (s.LAFmax[b] ?? null) === null) continue;
    if (first < 0) first = b;
    last = b;
  }
  return first < 0 ? null : { from: grid.start + first * grid.stepMs, to: grid.start + (last + 1) * grid.stepMs };
}

/** One chart per window per monitor, in time order and, within a window, in the monitors' order of deployment. */
export function nightSeries(db: Db, period: Period, spans: readonly DeploymentSpan[], blocks?: BlockReader): LevelSeries[] {
  const read = createChartLevelsReader(db, blocks);
  const devices = [...new Set(spans.map((s) => s.deviceId))];
  const iso = (ms: number): string => new Date(ms).toISOString();
  return nightWindows(period).flatMap((w): LevelSeries[] => {
    const coarse = chooseGrid(w.from, w.to, CHART_POINTS)!;
    return devices.flatMap((device): LevelSeries[] => {
      let ranges = clipSpans(spans, device, w.from, w.to);
      if (ranges.length === 0) return [];
      let grid = coarse;
      let s = read(device, ranges, grid);
      const measured = extent(s, grid);
      if (measured !== null && measured.to - measured.from < REFINE_BELOW * (w.to - w.from)) {
        const fine = chooseGrid(Math.max(w.from, measured.from), Math.min(w.to, measured.to), CHART_POINTS);
        if (fine !== null && fine.stepMs < grid.stepMs) {
          grid = fine;
          ranges = clipSpans(spans, device, Math.max(w.from, fine.start), Math.min(w.to, fine.end));
          s = read(device, ranges, grid);
        }
      }
      const t: number[] = [];
      const LAeq: (number | null)[] = [];
      const LAFmax: (number | null)[] = [];
      for (let b = 0; b < grid.count; b++) {
        const l = s.LAeq[b] ?? null;
        const m = s.LAFmax[b] ?? null;
        if (l === null && m === null) continue;
        t.push(Math.max(w.from, grid.start + b * grid.stepMs));
        LAeq.push(l === null ? null : Math.round(100 * l) / 100);
        LAFmax.push(m);
      }
      return t.length === 0 ? [] : [{ label: chartTitle(w.from, w.to, device), deviceId: device, from: iso(w.from), to: iso(w.to), t, LAeq, LAFmax }];
    });
  });
}
