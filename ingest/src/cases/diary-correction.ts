/**
 * Edit-as-correction (issue 12): a diary entry is never changed. A correction is
 * a new entry (its own `diary` leaf) and a `correction` leaf naming the leaf of
 * the entry it corrects (DESIGN §5: the log is append-only); the old entry
 * stays, shown as corrected, with who corrected it, when and why.
 */
import { EarshotError } from '@earshot/shared';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { Reason } from './case-input.ts';
import { insertDiaryEntry, requireDiaryCase } from './diary.ts';
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

export function correctDiaryEntry(ctx: CasesContext, caseRef: string, input: DiaryCorrectionInput): DiaryCorrection {
  const c = parseInput(DiaryCorrectionInput, input, 'EARSHOT_E_DIARY_INVALID');
  const atMs = ctx.now();
  return ctx.db.transaction((): DiaryCorrection => {
    const ref = requireDiaryCase(ctx, caseRef);
    const old = ctx.db.prepare<[number, string], { id: number; leaf_index: number }>('SELECT id, leaf_index FROM diary_entries WHERE id = ? AND case_ref = ?').get(c.entryId, ref);
    if (old === undefined) throw new EarshotError('EARSHOT_E_DIARY_INVALID', `entryId: no diary entry ${c.entryId} on ${ref}`);
    if (ctx.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM diary_corrections WHERE corrected_id = ?').get(old.id)!.n > 0) {
      throw new EarshotError('EARSHOT_E_DIARY_INVALID', `entryId: entry ${old.id} has already been corrected: correct its replacement instead`);
    }
    // The replacement is the officer's entry, whatever the source of the one it corrects.
    const replacementId = insertDiaryEntry(ctx, ref, c.replacement, 'manual');
    const replacementLeaf = ctx.db.prepare<[number], { leaf_index: number }>('SELECT leaf_index FROM diary_entries WHERE id = ?').get(replacementId)!.leaf_index;
    const at = new Date(atMs).toISOString();
    const data = { correctsLeafIndex: old.leaf_index, reason: c.reason, what: 'diary', correctedDiaryId: old.id, replacementDiaryId: replacementId, replacementLeafIndex: replacementLeaf, by: c.by, at };
    const { leafIndex } = ctx.evidence.append({ kind: 'correction', caseRef: ref, data });
    ctx.db.prepare('INSERT INTO diary_corrections (corrected_id, replacement_id, by_user, reason, at_ms, leaf_index) VALUES (?, ?, ?, ?, ?, ?)')
      .run(old.id, replacementId, c.by, c.reason, atMs, leafIndex);
    return { correctedId: old.id, replacementId, by: c.by, reason: c.reason, at, leafIndex };
  }).immediate();
}

/** Corrections of a case's diary, by the id of the entry corrected. */
export function diaryCorrections(db: Database, caseRef: string): Map<number, DiaryCorrection> {
  const rows = db.prepare<[string], { corrected_id: number; replacement_id: number; by_user: string; reason: string; at_ms: number; leaf_index: number }>(
    'SELECT c.* FROM diary_corrections c JOIN diary_entries d ON d.id = c.corrected_id WHERE d.case_ref = ?',
  ).all(caseRef);
  return new Map(rows.map((r) => [r.corrected_id, { correctedId: r.corrected_id, replacementId: r.replacement_id, by: r.by_user, reason: r.reason, at: new Date(r.at_ms).toISOString(), leafIndex: r.leaf_index }]));
}
