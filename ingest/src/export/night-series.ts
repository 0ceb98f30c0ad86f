/**
 * One chart per night and monitor (issue 5; issue 10 item 6: two monitors'
 * levels are never merged): local noon to the next local noon (Europe/London),
 * so each night hour (Noise Act 1996 s.2(6): 23:00–07:00) sits whole in the
 * middle of one chart and the day either side is still shown. Points come from
 * the rollups (energy means) and the level blocks at the edges, as the
 * timeline's level-series reader gives them (chart-levels.ts), over this case's
 * deployment spans only; nights with nothing measured get no chart.
 */
import { londonDate, londonLocalToUtc, nextDate } from '../cases/london-time.ts';
import type { Db } from '../db/open.ts';
import { chartTitle } from '../bundle/chart-title.ts';
import type { LevelSeries } from '../bundle/model.ts';
import type { BlockReader } from '../store/level-blocks/index.ts';
import { chooseGrid } from '../timeline/index.ts';
import { createChartLevelsReader } from './chart-levels.ts';
import type { Period } from './period.ts';
import { type DeploymentSpan, clipSpans } from './spans.ts';

/** Points per chart: 24 h at 2 minutes — finer than an A4 chart can show. */
export const CHART_POINTS = 720;
const NOON = 12;

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

/** One chart per window per monitor, in time order and, within a window, in the monitors' order of deployment. */
export function nightSeries(db: Db, period: Period, spans: readonly DeploymentSpan[], blocks?: BlockReader): LevelSeries[] {
  const read = createChartLevelsReader(db, blocks);
  const devices = [...new Set(spans.map((s) => s.deviceId))];
  const iso = (ms: number): string => new Date(ms).toISOString();
  return nightWindows(period).flatMap((w): LevelSeries[] => {
    const grid = chooseGrid(w.from, w.to, CHART_POINTS)!;
    return devices.flatMap((device): LevelSeries[] => {
      const ranges = clipSpans(spans, device, w.from, w.to);
      if (ranges.length === 0) return [];
      const s = read(device, ranges, grid);
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
