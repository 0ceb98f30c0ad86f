/**
 * The timeline of one case over a period (issue 5): the case's deployments give
 * (device, from, to) ranges; levels of each device on one bucket grid; the
 * evidence attached to the case in the period; the night hours to shade.
 */
import { EarshotError } from '@earshot/shared';
import { type Deployment, listDeploymentsSteps } from '../cases/deployments.ts';
import { requireCaseStep } from '../cases/case-row.ts';
import type { Db } from '../db/open.ts';
import { readNow } from '../storage/record/sqlite-record.ts';
import type { Steps } from '../storage/record/steps.ts';
import { type Grid, bucketHead, chooseGrid } from './buckets.ts';
import { deployedRanges } from './case-ranges.ts';
import { type EvidenceItems, evidenceItemsSteps } from './evidence-items.ts';
import { type LevelSeries, type Range, levelSeriesSteps } from './level-series.ts';
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

/** What a chart of a case's period is read on: its bucket grid, the case's deployments and each device's deployed ranges in the period. */
export interface CasePeriod {
  readonly grid: Grid;
  readonly deployments: Deployment[];
  readonly ranges: Map<string, Range[]>;
}

/**
 * The period checked (`checkWidth` adds a chart's own limit), the case found, then its grid and deployments.
 * Throws EARSHOT_E_CASE_NOT_FOUND or EARSHOT_E_HTTP_PERIOD_INVALID.
 */
export function* casePeriodSteps(req: TimelineRequest, nowMs: number, checkWidth: (width: number) => void = () => {}): Steps<CasePeriod> {
  validatePeriod(req.from, req.to, req.width);
  checkWidth(req.width);
  yield* requireCaseStep(req.caseRef);
  const grid = chooseGrid(req.from, req.to, req.width);
  if (grid === null) throw new EarshotError('EARSHOT_E_HTTP_PERIOD_INVALID', `too long for ${req.width} buckets`);
  const deployments = yield* listDeploymentsSteps({ caseRef: req.caseRef });
  return { grid, deployments, ranges: deployedRanges(deployments, req.from, req.to, nowMs) };
}

/** The timeline of a case over a period. Throws EARSHOT_E_CASE_NOT_FOUND or EARSHOT_E_HTTP_PERIOD_INVALID. */
export function* timelineSteps(req: TimelineRequest, nowMs: number): Steps<Timeline> {
  const { grid, deployments, ranges } = yield* casePeriodSteps(req, nowMs);
  const levels: LevelSeries[] = [];
  for (const [device, r] of ranges) levels.push(yield* levelSeriesSteps(device, r, grid));
  const items = yield* evidenceItemsSteps(req.caseRef, req.from, req.to);
  return {
    ...bucketHead(req, grid),
    levels,
    la90Basis: grid.stepMs >= 60_000
      ? 'LA90 of the 1 s LAeq values in each bucket, to 1 dB (per-minute 1 dB histograms); not LAF90'
      : 'LA90 of the 1 s LAeq values in each bucket, exact; not LAF90',
    deployments: deployments.map((d) => ({ deploymentId: d.id, deviceId: d.deviceId, from: d.installedAt, to: d.removedAt })),
    nights: nightHours(req.from, req.to),
    ...items,
  };
}

/** The timeline at once on the embedded store. */
export function createTimelineService(db: Db, now: () => number = Date.now): TimelineService {
  return { build: (req) => readNow(db, timelineSteps(req, now())) };
}
