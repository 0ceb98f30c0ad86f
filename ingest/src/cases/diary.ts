/**
 * Diary entries. The leaf carries the case, the times, the source and the
 * commitment to the text (content.ts); the text itself stays in the row, where
 * the retention purge can remove it.
 */
import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import { requireCase, requireNotClosed } from './case-row.ts';
import { commitContent } from './content.ts';
import { DiaryContent, DiaryEntryInput } from './diary-input.ts';
import type { CasesContext } from './evidence-port.ts';
import { CaseRef } from './reference.ts';
import { parseInput } from './validate.ts';

export type DiarySource = 'manual' | 'csv';

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
  };
}

/** Inserts one validated entry and its leaf; the caller holds the transaction. */
export function insertDiaryEntry(ctx: CasesContext, caseRef: string, e: z.output<typeof DiaryEntryInput>, source: DiarySource): number {
  const content = commitContent({ heard: e.heard, effect: e.effect ?? null, recordedBy: e.recordedBy ?? null });
  const createdAt = new Date(ctx.now()).toISOString();
  const id = Number(
    ctx.db
      .prepare('INSERT INTO diary_entries (case_ref, started_ms, ended_ms, source, content, content_sha256, created_at, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?, -1)')
      .run(caseRef, e.startedAt, e.endedAt ?? null, source, content.json, content.sha256, createdAt).lastInsertRowid,
  );
  const data = {
    diaryId: id,
    startedAt: new Date(e.startedAt).toISOString(),
    endedAt: e.endedAt === undefined ? null : new Date(e.endedAt).toISOString(),
    source,
    contentSha256: content.sha256,
  };
  const { leafIndex } = ctx.evidence.append({ kind: 'diary', caseRef, data });
  ctx.db.prepare('UPDATE diary_entries SET leaf_index = ? WHERE id = ?').run(leafIndex, id);
  return id;
}

export function requireDiaryCase(ctx: CasesContext, caseRef: string): string {
  const ref = parseInput(CaseRef, caseRef, 'EARSHOT_E_CASE_REF_INVALID');
  requireNotClosed(requireCase(ctx.db, ref), 'add diary entries');
  return ref;
}

export function addDiaryEntry(ctx: CasesContext, caseRef: string, input: DiaryEntryInput): DiaryEntry {
  const e = parseInput(DiaryEntryInput, input, 'EARSHOT_E_DIARY_INVALID');
  return ctx.db.transaction((): DiaryEntry => {
    const ref = requireDiaryCase(ctx, caseRef);
    return getDiaryEntry(ctx.db, insertDiaryEntry(ctx, ref, e, 'manual'));
  })();
}

function getDiaryEntry(db: Database, id: number): DiaryEntry {
  const row = db.prepare<[number], DiaryRow>('SELECT * FROM diary_entries WHERE id = ?').get(id);
  if (row === undefined) throw new RangeError(`diary entry ${id} vanished`);
  return toEntry(row);
}

export function listDiary(db: Database, caseRef: string): DiaryEntry[] {
  return db.prepare<[string], DiaryRow>('SELECT * FROM diary_entries WHERE case_ref = ? ORDER BY started_ms, id').all(caseRef).map(toEntry);
}
