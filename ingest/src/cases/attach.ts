/**
 * Attachment (issue 4): an event, clip or incident mark whose device time falls
 * within a deployment of an open case belongs to that case; anything else is
 * kept unassigned with the reason. A deployment covers [installed, removed).
 * One prepared statement per lookup: this runs for every evidence message.
 */
import type { Database } from 'better-sqlite3';
import type { CaseStatus } from './case-input.ts';
import type { AudioMode } from './deployment-input.ts';
import type { CaseCategory } from './response-target.ts';

export type UnassignedReason = 'no-deployment' | 'case-not-open' | 'bad-device-time';

export type Attachment =
  | {
      readonly attached: true;
      readonly caseRef: string;
      readonly deploymentId: number;
      readonly category: CaseCategory;
      readonly audioMode: AudioMode;
    }
  | {
      readonly attached: false;
      readonly reason: UnassignedReason;
      /** The case whose deployment covers the time, when there is one (reason case-not-open). */
      readonly caseRef: string | null;
      readonly caseStatus: CaseStatus | null;
    };

interface CoverRow {
  id: number;
  case_ref: string;
  audio_mode: AudioMode;
  status: CaseStatus;
  category: CaseCategory;
}

/** Latest representable instant (ECMA-262 §21.4.1.1: ±8.64e15 ms). */
export const MAX_TIME_MS = 8.64e15;

export type Attach = (deviceId: string, deviceTimeMs: number) => Attachment;

export function createAttacher(db: Database): Attach {
  const cover = db.prepare<[string, number, number], CoverRow>(
    `SELECT d.id, d.case_ref, d.audio_mode, c.status, c.category
     FROM deployments d JOIN cases c ON c.ref = d.case_ref
     WHERE d.device_id = ? AND d.installed_ms <= ? AND (d.removed_ms IS NULL OR d.removed_ms > ?)
     ORDER BY d.installed_ms DESC, d.id DESC LIMIT 1`,
  );
  return (deviceId, deviceTimeMs) => {
    if (!Number.isFinite(deviceTimeMs) || Math.abs(deviceTimeMs) > MAX_TIME_MS) {
      return { attached: false, reason: 'bad-device-time', caseRef: null, caseStatus: null };
    }
    const row = cover.get(deviceId, deviceTimeMs, deviceTimeMs);
    if (row === undefined) return { attached: false, reason: 'no-deployment', caseRef: null, caseStatus: null };
    if (row.status !== 'open') return { attached: false, reason: 'case-not-open', caseRef: row.case_ref, caseStatus: row.status };
    return { attached: true, caseRef: row.case_ref, deploymentId: row.id, category: row.category, audioMode: row.audio_mode };
  };
}
