/**
 * The deployment rows of some devices with their case's status and category,
 * in one round trip: what cases/attach-rows.ts decides attachment from on
 * PostgreSQL (a batch's evidence, a live alert).
 */
import type pg from 'pg';
import type { DeploymentRow } from '../../cases/attach-rows.ts';
import type { CaseStatus } from '../../cases/case-input.ts';
import type { AudioMode } from '../../cases/deployment-input.ts';
import type { CaseCategory } from '../../cases/response-target.ts';

const DEPLOYMENTS = {
  name: 'earshot-deployments-of-devices',
  text: `SELECT d.id, d.device_id, d.case_ref, d.audio_mode, d.installed_ms, d.removed_ms, c.status, c.category
    FROM deployments d JOIN cases c ON c.ref = d.case_ref WHERE d.device_id = ANY($1::text[])`,
};

interface Row { id: number; device_id: string; case_ref: string; audio_mode: AudioMode; installed_ms: number; removed_ms: number | null; status: CaseStatus; category: CaseCategory }

export async function deploymentsOf(q: pg.ClientBase | pg.Pool, devices: readonly string[]): Promise<DeploymentRow[]> {
  const d = await q.query<Row>({ ...DEPLOYMENTS, values: [devices] });
  return d.rows.map((x) => ({ id: x.id, deviceId: x.device_id, caseRef: x.case_ref, audioMode: x.audio_mode, installedMs: x.installed_ms, removedMs: x.removed_ms, status: x.status, category: x.category }));
}
