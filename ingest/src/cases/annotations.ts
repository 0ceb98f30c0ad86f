/**
 * Officer annotations: a note on a case, optionally about one leaf of the log
 * (an event, a clip, a diary entry). The note's text is committed in the leaf
 * (content.ts), as diary text is.
 */
import { z } from 'zod';
import { PersonName } from './case-input.ts';
import { requireCase } from './case-row.ts';
import { commitContent } from './content.ts';
import type { CasesContext } from './evidence-port.ts';
import { CaseRef } from './reference.ts';
import { parseInput } from './validate.ts';

export const AnnotationInput = z.object({
  caseRef: CaseRef,
  officer: PersonName,
  text: z.string().trim().min(1).max(4000),
  aboutLeafIndex: z.number().int().nonnegative().optional(),
});
export type AnnotationInput = z.input<typeof AnnotationInput>;

export interface Annotation {
  readonly id: number;
  readonly leafIndex: number;
  readonly contentSha256: string;
}

export function annotate(ctx: CasesContext, input: AnnotationInput): Annotation {
  const a = parseInput(AnnotationInput, input, 'EARSHOT_E_ANNOTATION_INVALID');
  const content = commitContent({ text: a.text });
  const createdAt = new Date(ctx.now()).toISOString();
  return ctx.db.transaction((): Annotation => {
    requireCase(ctx.db, a.caseRef);
    const id = Number(
      ctx.db
        .prepare('INSERT INTO annotations (case_ref, officer, about_leaf, content, content_sha256, created_at, leaf_index) VALUES (?, ?, ?, ?, ?, ?, -1)')
        .run(a.caseRef, a.officer, a.aboutLeafIndex ?? null, content.json, content.sha256, createdAt).lastInsertRowid,
    );
    const data = { annotationId: id, officer: a.officer, aboutLeafIndex: a.aboutLeafIndex ?? null, createdAt, contentSha256: content.sha256 };
    const { leafIndex } = ctx.evidence.append({ kind: 'annotation', caseRef: a.caseRef, data });
    ctx.db.prepare('UPDATE annotations SET leaf_index = ? WHERE id = ?').run(leafIndex, id);
    return { id, leafIndex, contentSha256: content.sha256 };
  }).immediate();
}
