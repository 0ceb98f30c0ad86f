/**
 * What the resident's page shows (issue 13): the entries they sent through this
 * deployment's links and when their officer will next be in touch — nothing
 * else (no levels, no events, no officer's notes, no other party's data).
 */
import { type DiaryEntry, listDiarySteps } from '../cases/diary.ts';
import { contactClock } from '../cases/index.ts';
import type { Db } from '../db/open.ts';
import { readNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, get } from '../storage/record/steps.ts';
import type { ResidentLink } from './links.ts';

export interface ResidentEntryView {
  readonly id: number;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** null once removed under the retention policy. */
  readonly heard: string | null;
  readonly effect: string | null;
  readonly writtenAt: string | null;
  readonly receivedAt: string;
  readonly delayed: boolean;
  readonly hasRecording: boolean;
}

export interface ResidentView {
  /** When the officer is next due to contact them (ISO); null when not known. */
  readonly nextContactDueAt: string | null;
  /** Newest first. */
  readonly entries: readonly ResidentEntryView[];
  readonly recordingSeconds: number;
}

export function toEntryView(e: DiaryEntry): ResidentEntryView {
  return {
    id: e.id, startedAt: e.startedAt, endedAt: e.endedAt, heard: e.content?.heard ?? null, effect: e.content?.effect ?? null,
    writtenAt: e.writtenAt, receivedAt: e.receivedAt, delayed: e.delayed, hasRecording: e.recording !== null,
  };
}

export function* residentViewSteps(link: ResidentLink, nowMs: number, recordingSeconds: number): Steps<ResidentView> {
  const mine = new Set((yield* all<{ diary_id: number }>(
    'SELECT e.diary_id FROM resident_entries e JOIN resident_links l ON l.id = e.link_id WHERE l.deployment_id = ?', link.deploymentId,
  )).map((r) => r.diary_id));
  const entries = (yield* listDiarySteps(link.caseRef)).filter((e) => mine.has(e.id)).reverse().map(toEntryView);
  const c = yield* get<{ status: string; response_due_at: string }>('SELECT status, response_due_at FROM cases WHERE ref = ?', link.caseRef);
  const contacts = yield* get<{ first: number | null; last: number | null }>('SELECT min(at_ms) AS first, max(at_ms) AS last FROM case_contacts WHERE case_ref = ?', link.caseRef);
  const next = c === undefined ? null : contactClock(c.status, c.response_due_at, contacts?.first ?? null, contacts?.last ?? null, nowMs).nextContactDueAt;
  return { nextContactDueAt: next, entries, recordingSeconds };
}

export function residentView(db: Db, link: ResidentLink, nowMs: number, recordingSeconds: number): ResidentView {
  return readNow(db, residentViewSteps(link, nowMs, recordingSeconds));
}
