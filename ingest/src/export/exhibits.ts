/**
 * The audio exhibits: this case's clips in the period whose reassembly completed,
 * each the content-addressed file in the data folder's clips folder (DESIGN §7).
 * Clips that never completed (or failed their hash) are not exhibits; their
 * signed manifests are still in the evidence leaves.
 */
import { join } from 'node:path';
import type { Db } from '../db/open.ts';
import type { ExhibitClip } from '../bundle/model.ts';
import type { Period } from './period.ts';

interface ClipRow { device: string; clip_id: string; event_id: string; sha256: string; file: string; body: string }

export function caseExhibits(db: Db, clipsDir: string, caseRef: string, period: Period): ExhibitClip[] {
  return db
    .prepare<[string, number, number], ClipRow>(
      `SELECT device, clip_id, event_id, sha256, file, body FROM clips
       WHERE case_ref = ? AND device_time >= ? AND device_time < ? AND state = 'complete' AND file IS NOT NULL
       ORDER BY device_time, clip_id`,
    )
    .all(caseRef, period.from, period.to)
    .map((r) => {
      const m = JSON.parse(r.body) as { startedAt: string; durationSeconds: number; fullScaleDb?: number };
      return {
        clipId: r.clip_id, deviceId: r.device, eventId: r.event_id, path: join(clipsDir, r.file), start: m.startedAt, durationSeconds: m.durationSeconds, sha256: r.sha256,
        ...(typeof m.fullScaleDb === 'number' ? { fullScaleDb: m.fullScaleDb } : {}),
      };
    });
}
