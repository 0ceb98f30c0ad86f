/**
 * Edit-as-correction (issue 12): a diary entry is never changed. A correction is
 * a new entry (its own `diary` leaf) and a `correction` leaf naming the leaf of
 * the entry it corrects (DESIGN §5: the log is append-only); the old entry
 * stays, shown as corrected, with who corrected it, when and why. Written as
 * steps (storage/record/steps.ts) that either store carries out.
 */
import { EarshotError } from '@earshot/shared';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { readNow, writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, append, get, run } from '../storage/record/steps.ts';
import { Reason } from './case-input.ts';
import { insertDiaryEntrySteps, requireDiaryCaseSteps } from './diary.ts';
import { DiaryEntryInput } from './diary-input.ts';
import type { CasesContext } from './evidence-port.ts';
import { parseInput } from './validate.ts';

export const DiaryCorrectionInput = z.object({
  entryId: z.number().int().positive(),
  reason: Reason,
  by: z.string().trim().min(1).max(100),
  replacement: DiaryEntryInput,
});
export type DiaryCorrectionInput = z.input<typeof DiaryCorrectionInput>;

export interface DiaryCorrection {
  readonly correctedId: number;
  readonly replacementId: number;
  readonly by: string;
  readonly reason: string;
  readonly at: string;
  readonly leafIndex: number;
}

export function* correctDiaryEntrySteps(caseRef: string, input: DiaryCorrectionInput, nowMs: number): Steps<DiaryCorrection> {
  const c = parseInput(DiaryCorrectionInput, input, 'EARSHOT_E_DIARY_INVALID');
  const ref = yield* requireDiaryCaseSteps(caseRef);
  const old = yield* get<{ id: number; leaf_index: number }>('SELECT id, leaf_index FROM diary_entries WHERE id = ? AND case_ref = ?', c.entryId, ref);
  if (old === undefined) throw new EarshotError('EARSHOT_E_DIARY_INVALID', `entryId: no diary entry ${c.entryId} on ${ref}`);
  if ((yield* get<{ n: number }>('SELECT count(*) AS n FROM diary_corrections WHERE corrected_id = ?', old.id))!.n > 0) {
    throw new EarshotError('EARSHOT_E_DIARY_INVALID', `entryId: entry ${old.id} has already been corrected: correct its replacement instead`);
  }
  // The replacement is the officer's entry, whatever the source of the one it corrects.
  const replacementId = yield* insertDiaryEntrySteps(ref, c.replacement, 'manual', nowMs);
  const replacementLeaf = (yield* get<{ leaf_index: number }>('SELECT leaf_index FROM diary_entries WHERE id = ?', replacementId))!.leaf_index;
  const at = new Date(nowMs).toISOString();
  const data = { correctsLeafIndex: old.leaf_index, reason: c.reason, what: 'diary', correctedDiaryId: old.id, replacementDiaryId: replacementId, replacementLeafIndex: replacementLeaf, by: c.by, at };
  const { leafIndex } = yield* append({ kind: 'correction', caseRef: ref, data });
  yield* run('INSERT INTO diary_corrections (corrected_id, replacement_id, by_user, reason, at_ms, leaf_index) VALUES (?, ?, ?, ?, ?, ?)',
    old.id, replacementId, c.by, c.reason, nowMs, leafIndex);
  return { correctedId: old.id, replacementId, by: c.by, reason: c.reason, at, leafIndex };
}

interface CorrectionRow { corrected_id: number; replacement_id: number; by_user: string; reason: string; at_ms: number; leaf_index: number }

/** Corrections of a case's diary, by the id of the entry corrected. */
export function* diaryCorrectionsSteps(caseRef: string): Steps<Map<number, DiaryCorrection>> {
  const rows = yield* all<CorrectionRow>('SELECT c.* FROM diary_corrections c JOIN diary_entries d ON d.id = c.corrected_id WHERE d.case_ref = ?', caseRef);
  return new Map(rows.map((r) => [r.corrected_id, { correctedId: r.corrected_id, replacementId: r.replacement_id, by: r.by_user, reason: r.reason, at: new Date(r.at_ms).toISOString(), leafIndex: r.leaf_index }]));
}

// The same operations on the embedded store, at once.

export function correctDiaryEntry(ctx: CasesContext, caseRef: string, input: DiaryCorrectionInput): DiaryCorrection {
  return writeNow(ctx, correctDiaryEntrySteps(caseRef, input, ctx.now()));
}

export function diaryCorrections(db: Database, caseRef: string): Map<number, DiaryCorrection> {
  return readNow(db, diaryCorrectionsSteps(caseRef));
}
