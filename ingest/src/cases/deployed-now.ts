/**
 * Which devices are deployed for an open case at one moment, for the whole
 * fleet in one query: what attach.ts answers device by device, for the config
 * sync (service/device-config.ts), which would otherwise ask it once per device
 * every few seconds. The same rule: a device's latest deployment covering the
 * moment ([installed, removed), the later installed winning, then the later
 * id) decides, and only an open case's deployment counts as deployed.
 */
import type { Database } from 'better-sqlite3';
import type { AudioMode } from './deployment-input.ts';

export interface DeployedNow {
  readonly caseRef: string;
  readonly audioMode: AudioMode;
}

interface Row {
  device_id: string;
  case_ref: string;
  audio_mode: AudioMode;
}

export type DeployedAt = (nowMs: number) => Map<string, DeployedNow>;

export function createDeployedAt(db: Database): DeployedAt {
  const covering = db.prepare<[number, number], Row>(
    `SELECT device_id, case_ref, audio_mode FROM (
       SELECT d.device_id, d.case_ref, d.audio_mode, c.status,
              row_number() OVER (PARTITION BY d.device_id ORDER BY d.installed_ms DESC, d.id DESC) AS rank
       FROM deployments d JOIN cases c ON c.ref = d.case_ref
       WHERE d.installed_ms <= ? AND (d.removed_ms IS NULL OR d.removed_ms > ?)
     ) WHERE rank = 1 AND status = 'open'`,
  );
  return (nowMs) => {
    const out = new Map<string, DeployedNow>();
    for (const r of covering.all(nowMs, nowMs)) out.set(r.device_id, { caseRef: r.case_ref, audioMode: r.audio_mode });
    return out;
  };
}
