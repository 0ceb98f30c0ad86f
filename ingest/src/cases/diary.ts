/**
 * Diary entries. The leaf carries the case, the times, the source and the
 * commitment to the text (content.ts); the text itself stays in the row, where
 * the retention purge can remove it. Issue 13: each entry says who wrote it —
 * the resident on their phone at the time ('resident'), an officer typing it in
 * later ('officer') or an import ('import') — when it was written and when it
 * arrived, flagged when those are more than 10 minutes apart, and the phone
 * recording sent with it (never calibrated: supporting only).
 *
 * Each operation is written once as steps (storage/record/steps.ts) that either store carries out:
 * `addDiaryEntrySteps` and the rest for the record port, `addDiaryEntry` and the rest to run them on the
 * embedded store at once.
 */
import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import { readNow, writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, append, get, run } from '../storage/record/steps.ts';
import { requireNotClosed, requireCaseStep } from './case-row.ts';
import { commitContent } from './content.ts';
import { DiaryContent, DiaryEntryInput } from './diary-input.ts';
import type { CasesContext } from './evidence-port.ts';
import { CaseRef } from './reference.ts';
import { parseInput } from './validate.ts';

export type DiarySource = 'resident' | 'officer' | 'import';
/** The names 'officer' and 'import' had before issue 13, still taken from callers. */
type LegacySource = 'manual' | 'csv';

/** Issue 13: an entry written and received more than 10 minutes apart is flagged (sent late, or the phone's clock is off). */
export const DIARY_DELAY_FLAG_MS = 10 * 60_000;

/** A phone recording kept with an entry: content-addressed in the clips folder (DESIGN §7). */
export interface DiaryRecording {
  readonly sha256: string;
  /** As judged from the content (resident/audio-type.ts), e.g. audio/webm. */
  readonly mediaType: string;
  readonly bytes: number;
  /** File name in the clips folder; null once removed under the retention policy (its hash stays in the leaf). */
  readonly file: string | null;
}

export interface DiaryEntry {
  readonly id: number;
  readonly caseRef: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly source: DiarySource;
  /** null once purged. */
  readonly content: Omit<DiaryContent, 'salt'> | null;
  readonly contentSha256: string;
  readonly leafIndex: number;
  /** When the resident wrote it, by their phone's clock; null when written where it was received (an officer, an import). */
  readonly writtenAt: string | null;
  /** When the service received it (the leaf's time). */
  readonly receivedAt: string;
  /** writtenAt and receivedAt differ by more than DIARY_DELAY_FLAG_MS. */
  readonly delayed: boolean;
  readonly recording: DiaryRecording | null;
}

/** Where an entry came from, beyond its text and times. */
export interface DiaryProvenance {
  readonly source: DiarySource;
  /** The phone's clock when the resident wrote it (ms since the epoch). */
  readonly writtenAt?: number;
  readonly recording?: DiaryRecording;
}

interface DiaryRow {
  id: number;
  case_ref: string;
  started_ms: number;
  ended_ms: number | null;
  source: DiarySource;
  content: string | null;
  content_sha256: string;
  leaf_index: number;
  written_ms: number | null;
  received_ms: number;
  recording_sha256: string | null;
  recording_type: string | null;
  recording_bytes: number | null;
  recording_file: string | null;
}

export function isDelayed(writtenMs: number | null, receivedMs: number): boolean {
  return writtenMs !== null && Math.abs(receivedMs - writtenMs) > DIARY_DELAY_FLAG_MS;
}

function toEntry(r: DiaryRow): DiaryEntry {
  let content: DiaryEntry['content'] = null;
  if (r.content !== null) {
    const { heard, effect, recordedBy } = DiaryContent.parse(JSON.parse(r.content));
    content = { heard, effect, recordedBy };
  }
  return {
    id: r.id,
    caseRef: r.case_ref,
    startedAt: new Date(r.started_ms).toISOString(),
    endedAt: r.ended_ms === null ? null : new Date(r.ended_ms).toISOString(),
    source: r.source,
    content,
    contentSha256: r.content_sha256,
    leafIndex: r.leaf_index,
    writtenAt: r.written_ms === null ? null : new Date(r.written_ms).toISOString(),
    receivedAt: new Date(r.received_ms).toISOString(),
    delayed: isDelayed(r.written_ms, r.received_ms),
    recording: r.recording_sha256 === null || r.recording_type === null
      ? null
      : { sha256: r.recording_sha256, mediaType: r.recording_type, bytes: r.recording_bytes ?? 0, file: r.recording_file },
  };
}

function provenanceOf(p: DiarySource | LegacySource | DiaryProvenance): DiaryProvenance {
  if (typeof p !== 'string') return p;
  return { source: p === 'manual' ? 'officer' : p === 'csv' ? 'import' : p };
}

/** Inserts one validated entry and its leaf, received at nowMs; the id of the new entry. */
export function* insertDiaryEntrySteps(
  caseRef: string, e: z.output<typeof DiaryEntryInput>, from: DiarySource | LegacySource | DiaryProvenance, nowMs: number,
): Steps<number> {
  const { source, writtenAt, recording } = provenanceOf(from);
  const content = commitContent({ heard: e.heard, effect: e.effect ?? null, recordedBy: e.recordedBy ?? null });
  const receivedMs = nowMs;
  const createdAt = new Date(receivedMs).toISOString();
  // The row first (leaf_index set just below), so the leaf can name the entry's id.
  const { id } = (yield* get<{ id: number }>(
    `INSERT INTO diary_entries (case_ref, started_ms, ended_ms, source, content, content_sha256, created_at, leaf_index, written_ms, received_ms,
      recording_sha256, recording_type, recording_bytes, recording_file) VALUES (?, ?, ?, ?, ?, ?, ?, -1, ?, ?, ?, ?, ?, ?) RETURNING id`,
    caseRef, e.startedAt, e.endedAt ?? null, source, content.json, content.sha256, createdAt, writtenAt ?? null, receivedMs,
    recording?.sha256 ?? null, recording?.mediaType ?? null, recording?.bytes ?? null, recording?.file ?? null,
  ))!;
  const data = {
    diaryId: id,
    startedAt: new Date(e.startedAt).toISOString(),
    endedAt: e.endedAt === undefined ? null : new Date(e.endedAt).toISOString(),
    source,
    contentSha256: content.sha256,
    receivedAt: createdAt,
    ...(writtenAt === undefined ? {} : { writtenAt: new Date(writtenAt).toISOString(), delayed: isDelayed(writtenAt, receivedMs) }),
    // The recording's hash is sealed with the entry at receipt: the bundle's exhibit of it is proved by this leaf.
    ...(recording === undefined ? {} : { recording: { sha256: recording.sha256, mediaType: recording.mediaType, bytes: recording.bytes, calibrated: false } }),
  };
  const { leafIndex } = yield* append({ kind: 'diary', caseRef, data });
  yield* run('UPDATE diary_entries SET leaf_index = ? WHERE id = ?', leafIndex, id);
  return id;
}

/** The case's reference, checked: it exists and is not closed. */
export function* requireDiaryCaseSteps(caseRef: string): Steps<string> {
  const ref = parseInput(CaseRef, caseRef, 'EARSHOT_E_CASE_REF_INVALID');
  requireNotClosed(yield* requireCaseStep(ref), 'add diary entries');
  return ref;
}

/** An officer's entry, typed in. */
export function* addDiaryEntrySteps(caseRef: string, input: DiaryEntryInput, nowMs: number): Steps<DiaryEntry> {
  const e = parseInput(DiaryEntryInput, input, 'EARSHOT_E_DIARY_INVALID');
  const ref = yield* requireDiaryCaseSteps(caseRef);
  return yield* getDiaryEntrySteps(yield* insertDiaryEntrySteps(ref, e, 'officer', nowMs));
}

export function* getDiaryEntrySteps(id: number): Steps<DiaryEntry> {
  const row = yield* get<DiaryRow>('SELECT * FROM diary_entries WHERE id = ?', id);
  if (row === undefined) throw new RangeError(`diary entry ${id} vanished`);
  return toEntry(row);
}

export function* listDiarySteps(caseRef: string): Steps<DiaryEntry[]> {
  return (yield* all<DiaryRow>('SELECT * FROM diary_entries WHERE case_ref = ? ORDER BY started_ms, id', caseRef)).map(toEntry);
}

// The same operations on the embedded store, at once. Inside a caller's transaction (the resident intake
// inserts an entry with its own rows) they run in a savepoint of it, so they commit with the caller's rows.

export function insertDiaryEntry(ctx: CasesContext, caseRef: string, e: z.output<typeof DiaryEntryInput>, from: DiarySource | LegacySource | DiaryProvenance): number {
  return writeNow(ctx, insertDiaryEntrySteps(caseRef, e, from, ctx.now()));
}

export function addDiaryEntry(ctx: CasesContext, caseRef: string, input: DiaryEntryInput): DiaryEntry {
  return writeNow(ctx, addDiaryEntrySteps(caseRef, input, ctx.now()));
}

export function listDiary(db: Database, caseRef: string): DiaryEntry[] {
  return readNow(db, listDiarySteps(caseRef));
}
