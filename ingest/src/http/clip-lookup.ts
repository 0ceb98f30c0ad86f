/** Finds a stored clip and the case it is attached to (store/clips.ts keeps clips/<sha256>.wav). */
import { resolve } from 'node:path';
import type { Db } from '../db/open.ts';
import { readNow } from '../storage/record/sqlite-record.ts';
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

export type ClipLookup = (deviceId: string, clipId: string) => ClipInfo | null;

/** The clip's row as stored, on either store (record port): `file` relative to the clips folder. */
export function* clipRowSteps(deviceId: string, clipId: string): Steps<{ caseRef: string | null; state: 'incomplete' | 'complete' | 'corrupt'; file: string | null; bytes: number } | null> {
  const r = yield* get<{ case_ref: string | null; state: ClipInfo['state']; file: string | null; bytes: number }>(
    'SELECT case_ref, state, file, bytes FROM clips WHERE device = ? AND clip_id = ?',
    deviceId, clipId,
  );
  return r === undefined ? null : { caseRef: r.case_ref, state: r.state, file: r.file, bytes: r.bytes };
}

/** `clipsDir`: the data folder's clips folder, which the stored file names are relative to (DESIGN §7). */
export function createClipLookup(db: Db, clipsDir: string): ClipLookup {
  return (deviceId, clipId) => {
    const r = readNow(db, clipRowSteps(deviceId, clipId));
    return r === null ? null : { deviceId, clipId, ...r, file: r.file === null ? null : resolve(clipsDir, r.file) };
  };
}
