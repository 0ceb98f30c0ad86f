/** The body against the shared zod schema of its type (DESIGN §4: one schema per body, both sides). */
import { bodySchemas, describeIssues } from '@earshot/shared';
import type { Step, TypedBody } from '../context.ts';

export const validateStep: Step = (ctx) => {
  if (ctx.envelopeType !== ctx.kind) return { code: 'EARSHOT_E_BODY_INVALID', detail: `a ${ctx.envelopeType} envelope on a ${ctx.kind} topic` };
  const r = bodySchemas[ctx.kind].safeParse(ctx.rawBody);
  if (!r.success) return { code: 'EARSHOT_E_BODY_INVALID', detail: `${ctx.kind}: ${describeIssues(r.error)}` };
  ctx.typed = { type: ctx.kind, body: r.data } as TypedBody;
  return null;
};
