/** Section 2 of the bundle: each deployment with its calibration checks and drift, clock sync and coverage. */
import type { CalibrationCheck as CaseCheck } from '../cases/deployments.ts';
import type { Db } from '../db/open.ts';
import type { CalibrationCheck, Deployment } from '../bundle/model.ts';
import { createClockSyncReader, createInputReader } from './clock-sync.ts';
import { createCoverageReader } from './coverage.ts';
import type { DeploymentSpan } from './spans.ts';

function check(c: CaseCheck | null, by: string | null): CalibrationCheck | null {
  if (c === null) return null;
  return { at: c.checkedAt, referenceDb: c.calibratorDb, readingDb: c.readingDb, fullScaleDb: c.fullScaleDb, ...(by === null ? {} : { by }) };
}

/** The deployments as the bundle shows them, and how many level records their spans hold. */
export function bundleDeployments(db: Db, spans: readonly DeploymentSpan[]): { deployments: Deployment[]; levelCount: number } {
  const coverage = createCoverageReader(db);
  const clock = createClockSyncReader(db);
  const input = createInputReader(db);
  let levelCount = 0;
  const deployments = spans.map((s): Deployment => {
    const d = s.deployment;
    const sync = clock(s);
    const cov = coverage(s);
    levelCount += cov.records;
    return {
      deviceId: d.deviceId,
      microphone: input(s),
      installedAt: d.installedAt,
      removedAt: d.removedAt,
      installedBy: d.installedBy,
      removedBy: d.removedBy,
      calibration: { atInstall: check(d.install, d.installedBy), atRemoval: check(d.removal, d.removedBy), driftDb: d.driftDb },
      clockSync: { status: sync.status, maxOffsetMs: sync.maxOffsetMs, unsyncedSeconds: sync.unsyncedSeconds },
      coverage: cov.coverage,
    };
  });
  return { deployments, levelCount };
}
