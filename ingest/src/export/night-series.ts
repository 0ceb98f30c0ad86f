/**
 * One chart per night (issue 5): local noon to the next local noon (Europe/London),
 * so each night hour (Noise Act 1996 s.2(6): 23:00–07:00) sits whole in the
 * middle of one chart and the day either side is still shown. Points come from
 * the timeline's level-series reader (rollups, energy means) over this case's
 * deployment spans only; nights with nothing measured get no chart.
 */
import { londonDate, londonLocalToUtc, nextDate } from '../cases/london-time.ts';
import type { Db } from '../db/open.ts';
import type { LevelSeries } from '../bundle/model.ts';
import { chooseGrid } from '../timeline/index.ts';
import { createLevelSeriesReader } from '../timeline/level-series.ts';
import type { Period } from './period.ts';
import { type DeploymentSpan, clipSpans } from './spans.ts';

/** Points per chart: 24 h at 2 minutes — finer than an A4 chart can show. */
export const CHART_POINTS = 720;
const NOON = 12;

const labelFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

function noon(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  // 12:00 exists exactly once on every UK date (the clocks change at 01:00 UTC).
  return londonLocalToUtc(y ?? 0, m ?? 0, d ?? 0, NOON, 0)[0]!;
}

/** The noon-to-noon windows overlapping the period, clipped to it. */
export function nightWindows(period: Period): { label: string; from: number; to: number }[] {
  const out: { label: string; from: number; to: number }[] = [];
  for (let date = londonDate(period.from - 86_400_000); ; date = nextDate(date)) {
    const start = noon(date);
    if (start >= period.to) break;
    const end = noon(nextDate(date));
    if (end > period.from) out.push({ label: `Night of ${labelFormat.format(start)}`, from: Math.max(start, period.from), to: Math.min(end, period.to) });
  }
  return out;
}

export function nightSeries(db: Db, period: Period, spans: readonly DeploymentSpan[]): LevelSeries[] {
  const reader = createLevelSeriesReader(db);
  const devices = [...new Set(spans.map((s) => s.deviceId))];
  const iso = (ms: number): string => new Date(ms).toISOString();
  return nightWindows(period).flatMap((w): LevelSeries[] => {
    const grid = chooseGrid(w.from, w.to, CHART_POINTS)!;
    const energy = new Float64Array(grid.count);
    const seconds = new Float64Array(grid.count);
    const max = new Array<number | null>(grid.count).fill(null);
    for (const device of devices) {
      const ranges = clipSpans(spans, device, w.from, w.to);
      if (ranges.length === 0) continue;
      const s = reader.read(device, ranges, grid);
      for (let b = 0; b < grid.count; b++) {
        const l = s.LAeq[b];
        if (l != null) {
          // Energy, not dB, adds across monitors (IEC 61672-1:2013 §3.9).
          energy[b]! += s.seconds[b]! * 10 ** (l / 10);
          seconds[b]! += s.seconds[b]!;
        }
        const m = s.LAFmax[b];
        if (m != null && (max[b] == null || m > max[b]!)) max[b] = m;
      }
    }
    const t: number[] = [];
    const LAeq: (number | null)[] = [];
    const LAFmax: (number | null)[] = [];
    for (let b = 0; b < grid.count; b++) {
      if (seconds[b] === 0 && max[b] === null) continue;
      t.push(Math.max(w.from, grid.start + b * grid.stepMs));
      LAeq.push(seconds[b]! > 0 ? Math.round(1000 * Math.log10(energy[b]! / seconds[b]!)) / 100 : null);
      LAFmax.push(max[b]!);
    }
    return t.length === 0 ? [] : [{ label: w.label, from: iso(w.from), to: iso(w.to), t, LAeq, LAFmax }];
  });
}
