/**
 * An entry arriving through a diary link (issue 13), in steps: check the input
 * → check the times → check the recording by its content → store it
 * content-addressed → in one transaction: the diary row and its evidence leaf
 * (sealed at receipt, with the time written and the time received) and the
 * access-log record. An entry the phone sends again (same link, same client
 * id) is answered with the one stored.
 */
import { createHash } from 'node:crypto';
import { EarshotError } from '@earshot/shared';
import { type DiaryEntry, type DiaryRecording, getDiaryEntrySteps, insertDiaryEntrySteps } from '../cases/diary.ts';
import type { CasesContext } from '../cases/index.ts';
import { parseInput } from '../cases/validate.ts';
import { sqliteRecord } from '../storage/record/sqlite-record.ts';
import { type RecordStore, type Steps, get, run } from '../storage/record/steps.ts';
import { type AccessLog, accessAppender, recordAccessSteps } from '../users/access-log.ts';
import { type AudioType, sniffAudio } from './audio-type.ts';
import { ResidentEntryInput, timeProblem } from './entry-input.ts';
import { RESIDENT_LIMITS } from './limits.ts';
import { type ResidentLink, residentActor } from './links.ts';
import { writeRecording } from './recording-file.ts';

/**
 * Where a phone recording is kept, content-addressed as `<sha256>.<ext>` (DESIGN §7), in the entry's
 * transaction: the clips folder beside the embedded store, or the store's `clip_files` on PostgreSQL.
 */
export type RecordingKeeper = (bytes: Buffer, type: AudioType) => Steps<{ readonly sha256: string; readonly file: string; readonly bytes: number }>;

/** The clips folder (written whole or not at all; a file left by a rolled-back entry is the same content, harmless). */
export function clipsFolderKeeper(clipsDir: string): RecordingKeeper {
  return function* (bytes, type) {
    return writeRecording(clipsDir, bytes, type);
  };
}

/** The store's clip_files (PostgreSQL), which checks the content address itself; `now` stamps stored_at. */
export function clipFilesKeeper(now: () => number): RecordingKeeper {
  return function* (bytes, type) {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = `${sha256}.${type.ext}`;
    yield* run('INSERT INTO clip_files (file, bytes, data, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT (file) DO NOTHING', file, bytes.length, bytes, now());
    return { sha256, file, bytes: bytes.length };
  };
}

export interface Received {
  readonly entry: DiaryEntry;
  /** True when this entry had been received before (a resend). */
  readonly duplicate: boolean;
}

function* recordingOf(keep: RecordingKeeper, base64: string, max: number): Steps<DiaryRecording> {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > max) throw new EarshotError('EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE', `${bytes.length} bytes, at most ${max}`);
  if (bytes.length === 0) throw new EarshotError('EARSHOT_E_RESIDENT_RECORDING_TYPE', 'the recording is empty');
  const type = sniffAudio(bytes);
  if (type === null) throw new EarshotError('EARSHOT_E_RESIDENT_RECORDING_TYPE', 'its content is not WebM, Ogg, MP4 or WAV audio');
  const stored = yield* keep(bytes, type);
  return { sha256: stored.sha256, mediaType: type.mediaType, bytes: stored.bytes, file: stored.file };
}

/**
 * One entry sent through a link, in one transaction: a resend (the same client id) gives back the entry
 * first received; otherwise the entry, its recording, its link's record and the access log's entry.
 */
export function* receiveEntrySteps(link: ResidentLink, input: unknown, keep: RecordingKeeper, nowMs: number, recordingBytes = RESIDENT_LIMITS.recordingBytes): Steps<Received> {
  const e = parseInput(ResidentEntryInput, input, 'EARSHOT_E_RESIDENT_ENTRY_INVALID');
  const before = yield* get<{ diary_id: number }>('SELECT diary_id FROM resident_entries WHERE link_id = ? AND client_id = ?', link.id, e.clientId);
  if (before !== undefined) return { entry: yield* getDiaryEntrySteps(before.diary_id), duplicate: true };
  const problem = timeProblem(e, nowMs);
  if (problem !== null) throw new EarshotError('EARSHOT_E_RESIDENT_ENTRY_INVALID', problem);
  const recording = e.recording === undefined ? undefined : yield* recordingOf(keep, e.recording.data, recordingBytes);
  const id = yield* insertDiaryEntrySteps(
    link.caseRef,
    { startedAt: e.startedAt, ...(e.endedAt === undefined || e.endedAt === null ? {} : { endedAt: e.endedAt }), heard: e.heard, ...(e.effect === undefined || e.effect === '' ? {} : { effect: e.effect }) },
    { source: 'resident', writtenAt: e.writtenAt, ...(recording === undefined ? {} : { recording }) },
    nowMs,
  );
  yield* run('INSERT INTO resident_entries (link_id, client_id, diary_id) VALUES (?, ?, ?)', link.id, e.clientId, id);
  const entry = yield* getDiaryEntrySteps(id);
  yield* recordAccessSteps({
    username: residentActor(link.id), action: 'resident-entry', caseRef: link.caseRef,
    target: `diary entry ${id} (leaf ${entry.leafIndex})${recording === undefined ? '' : ` with phone recording ${recording.sha256}`}`,
  }, nowMs);
  return { entry, duplicate: false };
}

