/**
 * An entry arriving through a diary link (issue 13), in steps: check the input
 * → check the times → check the recording by its content → store it
 * content-addressed → in one transaction: the diary row and its evidence leaf
 * (sealed at receipt, with the time written and the time received) and the
 * access-log record. An entry the phone sends again (same link, same client
 * id) is answered with the one stored.
 */
import { EarshotError } from '@earshot/shared';
import { insertDiaryEntry, getDiaryEntry, type DiaryEntry, type DiaryRecording } from '../cases/diary.ts';
import type { CasesContext } from '../cases/index.ts';
import { parseInput } from '../cases/validate.ts';
import type { AccessLog } from '../users/index.ts';
import { sniffAudio } from './audio-type.ts';
import { ResidentEntryInput, timeProblem } from './entry-input.ts';
import { RESIDENT_LIMITS } from './limits.ts';
import { type ResidentLink, residentActor } from './links.ts';
import { writeRecording } from './recording-file.ts';

export interface IntakeContext {
  readonly cases: CasesContext;
  readonly accessLog: AccessLog;
  readonly clipsDir: string;
  readonly recordingBytes?: number;
}

export interface Received {
  readonly entry: DiaryEntry;
  /** True when this entry had been received before (a resend). */
  readonly duplicate: boolean;
}

function recordingOf(ctx: IntakeContext, base64: string): DiaryRecording {
  const bytes = Buffer.from(base64, 'base64');
  const max = ctx.recordingBytes ?? RESIDENT_LIMITS.recordingBytes;
  if (bytes.length > max) throw new EarshotError('EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE', `${bytes.length} bytes, at most ${max}`);
  if (bytes.length === 0) throw new EarshotError('EARSHOT_E_RESIDENT_RECORDING_TYPE', 'the recording is empty');
  const type = sniffAudio(bytes);
  if (type === null) throw new EarshotError('EARSHOT_E_RESIDENT_RECORDING_TYPE', 'its content is not WebM, Ogg, MP4 or WAV audio');
  const stored = writeRecording(ctx.clipsDir, bytes, type);
  return { sha256: stored.sha256, mediaType: type.mediaType, bytes: stored.bytes, file: stored.file };
}

export function receiveEntry(ctx: IntakeContext, link: ResidentLink, input: unknown): Received {
  const db = ctx.cases.db;
  const e = parseInput(ResidentEntryInput, input, 'EARSHOT_E_RESIDENT_ENTRY_INVALID');
  const seen = (): number | undefined =>
    db.prepare<[number, string], { diary_id: number }>('SELECT diary_id FROM resident_entries WHERE link_id = ? AND client_id = ?').get(link.id, e.clientId)?.diary_id;
  const before = seen();
  if (before !== undefined) return { entry: getDiaryEntry(db, before), duplicate: true };
  const problem = timeProblem(e, ctx.cases.now());
  if (problem !== null) throw new EarshotError('EARSHOT_E_RESIDENT_ENTRY_INVALID', problem);
  const recording = e.recording === undefined ? undefined : recordingOf(ctx, e.recording.data);
  return db.transaction((): Received => {
    const again = seen();
    if (again !== undefined) return { entry: getDiaryEntry(db, again), duplicate: true };
    const id = insertDiaryEntry(
      ctx.cases,
      link.caseRef,
      { startedAt: e.startedAt, ...(e.endedAt === undefined || e.endedAt === null ? {} : { endedAt: e.endedAt }), heard: e.heard, ...(e.effect === undefined || e.effect === '' ? {} : { effect: e.effect }) },
      { source: 'resident', writtenAt: e.writtenAt, ...(recording === undefined ? {} : { recording }) },
    );
    db.prepare('INSERT INTO resident_entries (link_id, client_id, diary_id) VALUES (?, ?, ?)').run(link.id, e.clientId, id);
    const entry = getDiaryEntry(db, id);
    ctx.accessLog.record({
      username: residentActor(link.id), action: 'resident-entry', caseRef: link.caseRef,
      target: `diary entry ${id} (leaf ${entry.leafIndex})${recording === undefined ? '' : ` with phone recording ${recording.sha256}`}`,
    });
    return { entry, duplicate: false };
  }).immediate();
}
