/**
 * Action plan notes: what was agreed with the complainant and what happens
 * next (landlord ASB policy, issue 12: an agreed action plan). Append-only;
 * each note is a `case` leaf carrying the commitment to its text (content.ts).
 * Written as steps (storage/record/steps.ts) that either store carries out.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { readNow, writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, append, get, run } from '../storage/record/steps.ts';
import { requireNotClosed, requireCaseStep } from './case-row.ts';
import { commitContent } from './content.ts';
import type { CasesContext } from './evidence-port.ts';
import { CaseRef } from './reference.ts';
import { parseInput } from './validate.ts';

export const PlanNoteInput = z.object({
  caseRef: CaseRef,
  text: z.string().trim().min(3).max(4000),
  by: z.string().trim().min(1).max(100),
});
export type PlanNoteInput = z.input<typeof PlanNoteInput>;

export interface PlanNote {
  readonly id: number;
  readonly at: string;
  readonly by: string;
  readonly text: string | null;
  readonly leafIndex: number;
}

interface Row { id: number; by_user: string; content: string | null; created_at: string; leaf_index: number }
const Content = z.object({ text: z.string() });

export function* addPlanNoteSteps(input: PlanNoteInput, nowMs: number): Steps<PlanNote> {
  const n = parseInput(PlanNoteInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const content = commitContent({ text: n.text });
  const at = new Date(nowMs).toISOString();
  requireNotClosed(yield* requireCaseStep(n.caseRef), 'add to the action plan');
  // The row first (leaf_index set just below), so the leaf can name the note's id.
  const { id } = (yield* get<{ id: number }>(
    'INSERT INTO case_plan_notes (case_ref, by_user, content, content_sha256, created_at, leaf_index) VALUES (?, ?, ?, ?, ?, -1) RETURNING id',
    n.caseRef, n.by, content.json, content.sha256, at,
  ))!;
  const data = { action: 'plan-note', noteId: id, by: n.by, at, contentSha256: content.sha256 };
  const { leafIndex } = yield* append({ kind: 'case', caseRef: n.caseRef, data });
  yield* run('UPDATE case_plan_notes SET leaf_index = ? WHERE id = ?', leafIndex, id);
  yield* run('INSERT INTO case_history (case_ref, at, action, by_officer, reason, detail, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?)',
    n.caseRef, at, 'plan-note', n.by, null, JSON.stringify(data), leafIndex);
  return { id, at, by: n.by, text: n.text, leafIndex };
}

export function* listPlanNotesSteps(caseRef: string): Steps<PlanNote[]> {
  return (yield* all<Row>('SELECT id, by_user, content, created_at, leaf_index FROM case_plan_notes WHERE case_ref = ? ORDER BY id', caseRef))
    .map((r) => ({ id: r.id, at: r.created_at, by: r.by_user, text: r.content === null ? null : Content.parse(JSON.parse(r.content)).text, leafIndex: r.leaf_index }));
}

// The same operations on the embedded store, at once.

export function addPlanNote(ctx: CasesContext, input: PlanNoteInput): PlanNote {
  return writeNow(ctx, addPlanNoteSteps(input, ctx.now()));
}

export function listPlanNotes(db: Database, caseRef: string): PlanNote[] {
  return readNow(db, listPlanNotesSteps(caseRef));
}
