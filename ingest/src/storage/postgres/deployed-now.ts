/**
 * Which of some devices are deployed for an open case at one moment, in one
 * query: cases/deployed-now.ts's rule in PostgreSQL — a device's latest
 * deployment covering the moment ([installed, removed), the later installed
 * winning, then the later id) decides, and only an open case's deployment
 * counts as deployed. For the config sync (device-configs.ts).
 */
import type pg from 'pg';
import type { DeployedNow } from '../../cases/deployed-now.ts';
import type { AudioMode } from '../../cases/deployment-input.ts';

const COVERING = {
  name: 'earshot-deployed-now',
  text: `SELECT r.device_id, r.case_ref, r.audio_mode FROM (
      SELECT d.device_id, d.case_ref, d.audio_mode, c.status,
             row_number() OVER (PARTITION BY d.device_id ORDER BY d.installed_ms DESC, d.id DESC) AS rank
      FROM deployments d JOIN cases c ON c.ref = d.case_ref
      WHERE d.device_id = ANY($2::text[]) AND d.installed_ms <= $1::bigint AND (d.removed_ms IS NULL OR d.removed_ms > $1::bigint)
    ) r WHERE r.rank = 1 AND r.status = 'open'`,
};

export async function deployedNow(q: pg.Pool | pg.ClientBase, nowMs: number, devices: readonly string[]): Promise<Map<string, DeployedNow>> {
  const out = new Map<string, DeployedNow>();
  if (devices.length === 0) return out;
  const r = await q.query<{ device_id: string; case_ref: string; audio_mode: AudioMode }>({ ...COVERING, values: [nowMs, devices] });
  for (const x of r.rows) out.set(x.device_id, { caseRef: x.case_ref, audioMode: x.audio_mode });
  return out;
}
