/**
 * The timeline of one case over a period (issue 5): the case's deployments give
 * (device, from, to) ranges; levels of each device on one bucket grid; the
 * evidence attached to the case in the period; the night hours to shade.
 */
import { EarshotError } from '@earshot/shared';
import { listDeployments } from '../cases/deployments.ts';
import { requireCase } from '../cases/case-row.ts';
import type { Db } from '../db/open.ts';
import { bucketHead, chooseGrid } from './buckets.ts';
import { type EvidenceItems, createEvidenceItemsReader } from './evidence-items.ts';
import { type LevelSeries, type Range, createLevelSeriesReader } from './level-series.ts';
import { type Interval, nightHours } from './night-hours.ts';

/** The longest period one timeline covers: the 400-day levels retention (retention/policy.ts) plus margin. */
export const MAX_PERIOD_MS = 400 * 86_400_000;
/** Enough buckets for a night at 1 s (28 800) and a little more. */
export const MAX_WIDTH = 100_000;

export interface TimelineRequest {
  readonly caseRef: string;
  readonly from: number;
  readonly to: number;
  /** Most buckets wanted (the chart's width in pixels, say). */
  readonly width: number;
}

export interface TimelineDeployment {
  readonly deploymentId: number;
  readonly deviceId: string;
  readonly from: string;
  readonly to: string | null;
}

export interface Timeline extends EvidenceItems {
  readonly caseRef: string;
  readonly from: string;
  readonly to: string;
  readonly bucket: {
    readonly stepSeconds: number;
    /** Start of each bucket, epoch ms UTC. */
    readonly t: number[];
  };
  readonly levels: LevelSeries[];
  /** What LA90 is computed from, stated so nobody reads it as LAF90. */
  readonly la90Basis: string;
  readonly deployments: TimelineDeployment[];
  readonly nights: Interval[];
}

export interface TimelineService {
  /** Throws EARSHOT_E_CASE_NOT_FOUND or EARSHOT_E_HTTP_PERIOD_INVALID. */
  build(req: TimelineRequest): Timeline;
}

export function validatePeriod(from: number, to: number, width: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new EarshotError('EARSHOT_E_HTTP_PERIOD_INVALID', 'from and to must be ISO 8601 instants');
  if (to <= from) throw new EarshotError('EARSHOT_E_HTTP_PERIOD_INVALID', `empty period: ${new Date(from).toISOString()} is not before ${new Date(to).toISOString()}`);
  if (to - from > MAX_PERIOD_MS) throw new EarshotError('EARSHOT_E_HTTP_PERIOD_INVALID', `longer than ${MAX_PERIOD_MS / 86_400_000} days`);
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) throw new EarshotError('EARSHOT_E_HTTP_PERIOD_INVALID', `width must be a whole number from 1 to ${MAX_WIDTH}`);
}

export function createTimelineService(db: Db, now: () => number = Date.now): TimelineService {
  const series = createLevelSeriesReader(db);
  const items = createEvidenceItemsReader(db);
  return {
    build(req) {
      validatePeriod(req.from, req.to, req.width);
      requireCase(db, req.caseRef);
      const grid = chooseGrid(req.from, req.to, req.width);
      if (grid === null) throw new EarshotError('EARSHOT_E_HTTP_PERIOD_INVALID', `too long for ${req.width} buckets`);
      const deployments = listDeployments(db, { caseRef: req.caseRef });
      const ranges = new Map<string, Range[]>();
      for (const d of deployments) {
        const from = Math.max(Date.parse(d.installedAt), req.from);
        const to = Math.min(d.removedAt === null ? now() : Date.parse(d.removedAt), req.to);
        if (to <= from) continue;
        const list = ranges.get(d.deviceId) ?? [];
        list.push({ from, to });
        ranges.set(d.deviceId, list);
      }
      const head = bucketHead(req, grid);
      return {
        ...head,
        levels: [...ranges].map(([device, r]) => series.read(device, r, grid)),
        la90Basis: grid.stepMs >= 60_000
          ? 'LA90 of the 1 s LAeq values in each bucket, to 1 dB (per-minute 1 dB histograms); not LAF90'
          : 'LA90 of the 1 s LAeq values in each bucket, exact; not LAF90',
        deployments: deployments.map((d) => ({ deploymentId: d.id, deviceId: d.deviceId, from: d.installedAt, to: d.removedAt })),
        nights: nightHours(req.from, req.to),
        ...items(req.caseRef, req.from, req.to),
      };
    },
  };
}
