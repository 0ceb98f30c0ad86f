/**
 * The case's deployments that overlap the period, each with its span: the part
 * of the period the device was deployed for this case ([installed, removed) ∩
 * period, an open deployment ending at the export time). Every level row, chart
 * point and diary measurement in a bundle is read only inside these spans, so a
 * device shared by two cases at different times never brings the other case's
 * levels in.
 */
import { type Deployment, listDeployments } from '../cases/deployments.ts';
import type { Db } from '../db/open.ts';
import type { Period } from './period.ts';

export interface DeploymentSpan {
  readonly deployment: Deployment;
  readonly deviceId: string;
  /** Epoch ms; `to` ≥ `from` (equal when the deployment starts after the export time). */
  readonly from: number;
  readonly to: number;
}

export function deploymentSpans(db: Db, caseRef: string, period: Period, nowMs: number): DeploymentSpan[] {
  return listDeployments(db, { caseRef }).flatMap((d) => {
    const installed = Date.parse(d.installedAt);
    const removed = d.removedAt === null ? null : Date.parse(d.removedAt);
    if (installed >= period.to || (removed !== null && removed <= period.from)) return [];
    const from = Math.max(installed, period.from);
    const to = Math.max(from, Math.min(removed ?? Math.min(nowMs, period.to), period.to));
    return [{ deployment: d, deviceId: d.deviceId, from, to }];
  });
}

/** Spans with some time in them, in time order. */
export function measuredSpans(spans: readonly DeploymentSpan[]): DeploymentSpan[] {
  return spans.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from || (a.deviceId < b.deviceId ? -1 : 1));
}

/** The spans of one device clipped to [from, to), in time order. */
export function clipSpans(spans: readonly DeploymentSpan[], deviceId: string, from: number, to: number): { from: number; to: number }[] {
  return spans
    .filter((s) => s.deviceId === deviceId)
    .map((s) => ({ from: Math.max(s.from, from), to: Math.min(s.to, to) }))
    .filter((r) => r.to > r.from)
    .sort((a, b) => a.from - b.from);
}
