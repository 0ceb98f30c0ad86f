/**
 * Attachment (issue 4) decided from a device's deployment rows already in
 * memory: the same answer as attach.ts's query (a deployment covers
 * [installed, removed); the device's latest covering deployment decides, the
 * later installed then the later id winning; only an open case attaches), for
 * a store that reads a batch's deployments in one round trip (PostgreSQL:
 * storage/postgres/ingest-batch/). Pure.
 */
import { type Attachment, MAX_TIME_MS } from './attach.ts';
import type { CaseStatus } from './case-input.ts';
import type { AudioMode } from './deployment-input.ts';
import type { CaseCategory } from './response-target.ts';

export interface DeploymentRow {
  readonly id: number;
  readonly deviceId: string;
  readonly caseRef: string;
  readonly audioMode: AudioMode;
  readonly installedMs: number;
  readonly removedMs: number | null;
  readonly status: CaseStatus;
  readonly category: CaseCategory;
}

export function attachFromRows(rows: readonly DeploymentRow[], deviceId: string, deviceTimeMs: number): Attachment {
  if (!Number.isFinite(deviceTimeMs) || Math.abs(deviceTimeMs) > MAX_TIME_MS) {
    return { attached: false, reason: 'bad-device-time', caseRef: null, caseStatus: null };
  }
  let best: DeploymentRow | null = null;
  for (const r of rows) {
    if (r.deviceId !== deviceId || r.installedMs > deviceTimeMs || (r.removedMs !== null && r.removedMs <= deviceTimeMs)) continue;
    if (best === null || r.installedMs > best.installedMs || (r.installedMs === best.installedMs && r.id > best.id)) best = r;
  }
  if (best === null) return { attached: false, reason: 'no-deployment', caseRef: null, caseStatus: null };
  if (best.status !== 'open') return { attached: false, reason: 'case-not-open', caseRef: best.caseRef, caseStatus: best.status };
  return { attached: true, caseRef: best.caseRef, deploymentId: best.id, category: best.category, audioMode: best.audioMode };
}
