/**
 * The time each monitor was deployed on a case within a period: the (device, from, to) ranges the level
 * timeline (case-timeline.ts) and the bands (case-bands.ts) count records in, an open deployment reaching
 * to now.
 */
import type { Deployment } from '../cases/deployments.ts';
import type { Range } from './level-series.ts';

/** Per device, its deployments ∩ [from, to), in time order (a device is never in two deployments at once). */
export function deployedRanges(deployments: readonly Deployment[], from: number, to: number, nowMs: number): Map<string, Range[]> {
  const ranges = new Map<string, Range[]>();
  for (const d of deployments) {
    const a = Math.max(Date.parse(d.installedAt), from);
    const b = Math.min(d.removedAt === null ? nowMs : Date.parse(d.removedAt), to);
    if (b <= a) continue;
    const list = ranges.get(d.deviceId) ?? [];
    list.push({ from: a, to: b });
    ranges.set(d.deviceId, list.sort((x, y) => x.from - y.from));
  }
  return ranges;
}
