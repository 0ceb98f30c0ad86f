/** Finds a stored clip and the case it is attached to (store/clips.ts keeps clips/<sha256>.wav). */
import { resolve } from 'node:path';
import type { Db } from '../db/open.ts';

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

/** `clipsDir`: the data folder's clips folder, which the stored file names are relative to (DESIGN §7). */
export function createClipLookup(db: Db, clipsDir: string): ClipLookup {
  const get = db.prepare<[string, string], { case_ref: string | null; state: ClipInfo['state']; file: string | null; bytes: number }>(
    'SELECT case_ref, state, file, bytes FROM clips WHERE device = ? AND clip_id = ?',
  );
  return (deviceId, clipId) => {
    const r = get.get(deviceId, clipId);
    return r === undefined ? null : { deviceId, clipId, caseRef: r.case_ref, state: r.state, file: r.file === null ? null : resolve(clipsDir, r.file), bytes: r.bytes };
  };
}
