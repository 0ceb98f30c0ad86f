/**
 * Officer annotations: a note on a case, optionally about one leaf of the log
 * (an event, a clip, a diary entry). The note's text is committed in the leaf
 * (content.ts), as diary text is. Written as steps (storage/record/steps.ts) that either store carries out.
 */
import { z } from 'zod';
import { PersonName } from './case-input.ts';
import { writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, append, get, run } from '../storage/record/steps.ts';
import { commitContent } from './content.ts';
import type { CasesContext } from './evidence-port.ts';
import { CaseRef } from './reference.ts';
import { requireCaseStep } from './case-row.ts';
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

export function* annotateSteps(input: AnnotationInput, nowMs: number): Steps<Annotation> {
  const a = parseInput(AnnotationInput, input, 'EARSHOT_E_ANNOTATION_INVALID');
  const content = commitContent({ text: a.text });
  const createdAt = new Date(nowMs).toISOString();
  yield* requireCaseStep(a.caseRef);
  // The row first (leaf_index set just below), so the leaf can name the annotation's id.
  const { id } = (yield* get<{ id: number }>(
    'INSERT INTO annotations (case_ref, officer, about_leaf, content, content_sha256, created_at, leaf_index) VALUES (?, ?, ?, ?, ?, ?, -1) RETURNING id',
    a.caseRef, a.officer, a.aboutLeafIndex ?? null, content.json, content.sha256, createdAt,
  ))!;
  const data = { annotationId: id, officer: a.officer, aboutLeafIndex: a.aboutLeafIndex ?? null, createdAt, contentSha256: content.sha256 };
  const { leafIndex } = yield* append({ kind: 'annotation', caseRef: a.caseRef, data });
  yield* run('UPDATE annotations SET leaf_index = ? WHERE id = ?', leafIndex, id);
  return { id, leafIndex, contentSha256: content.sha256 };
}

/** The same on the embedded store, at once. */
export function annotate(ctx: CasesContext, input: AnnotationInput): Annotation {
  return writeNow(ctx, annotateSteps(input, ctx.now()));
}
