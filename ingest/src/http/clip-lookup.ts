/** Finds a stored clip and the case it is attached to (store/clips.ts keeps clips/<sha256>.wav; PostgreSQL clip_files). */
import { type Steps, get } from '../storage/record/steps.ts';

export interface ClipInfo {
  readonly deviceId: string;
  readonly clipId: string;
  readonly caseRef: string | null;
  readonly state: 'incomplete' | 'complete' | 'corrupt';
  /** Path of the WAV once complete. */
  readonly file: string | null;
  readonly bytes: number;
}

/** The clip's row as stored, on either store (record port): `file` relative to the clips folder. */
export function* clipRowSteps(deviceId: string, clipId: string): Steps<{ caseRef: string | null; state: 'incomplete' | 'complete' | 'corrupt'; file: string | null; bytes: number } | null> {
  const r = yield* get<{ case_ref: string | null; state: ClipInfo['state']; file: string | null; bytes: number }>(
    'SELECT case_ref, state, file, bytes FROM clips WHERE device = ? AND clip_id = ?',
    deviceId, clipId,
  );
  return r === undefined ? null : { caseRef: r.case_ref, state: r.state, file: r.file, bytes: r.bytes };
}
