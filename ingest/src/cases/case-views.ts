/** When each account last opened each case: the dashboard's "new since you last looked". */
import type { Database } from 'better-sqlite3';
import { writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, run } from '../storage/record/steps.ts';

/** Records that `username` opened the case at atMs (the later opening replaces the earlier), on either store. */
export function* markCaseSeenSteps(username: string, caseRef: string, atMs: number): Steps<void> {
  yield* run(
    'INSERT INTO case_views (username, case_ref, seen_ms) VALUES (?, ?, ?) ON CONFLICT (username, case_ref) DO UPDATE SET seen_ms = excluded.seen_ms',
    username, caseRef, atMs,
  );
}

export function markCaseSeen(db: Database, username: string, caseRef: string, atMs: number): void {
  writeNow({ db }, markCaseSeenSteps(username, caseRef, atMs));
}
