/** When each account last opened each case: the dashboard's "new since you last looked". */
import type { Database } from 'better-sqlite3';

export function markCaseSeen(db: Database, username: string, caseRef: string, atMs: number): void {
  db.prepare('INSERT INTO case_views (username, case_ref, seen_ms) VALUES (?, ?, ?) ON CONFLICT (username, case_ref) DO UPDATE SET seen_ms = excluded.seen_ms')
    .run(username, caseRef, atMs);
}
