/**
 * The officer's case actions (issue 12): open, re-categorise, reassign, change
 * status, record a contact, add to the action plan. Each is the cases area's
 * own operation, so each is a row and an evidence-log leaf in one transaction
 * of the record (on either store). `by` is always the logged-in account.
 */
import { EarshotError } from '@earshot/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { categoriseCaseSteps, changeCaseStatusSteps, openCaseSteps, reassignCaseSteps } from '../cases/cases.ts';
import { recordContactSteps } from '../cases/contacts.ts';
import { addPlanNoteSteps } from '../cases/plan-notes.ts';
import type { User } from '../users/index.ts';
import { requireUser } from './auth.ts';
import { logAccess, type RouteContext, requireVisibleCase, requireWritable } from './context.ts';
import { CaseParams } from './schemas.ts';
import { CategoryBody, ContactBody, OfficerBody, OpenCaseBody, PlanBody, StatusBody } from './write-schemas.ts';
import { parseRequest } from './validate.ts';

/** A case is assigned to an enabled officer or supervisor account (issue 11 item 8). */
export async function requireAssignable(ctx: RouteContext, username: string): Promise<User> {
  const a = (await ctx.users.accounts()).find((u) => u.username === username);
  if (a === undefined) throw new EarshotError('EARSHOT_E_USER_NOT_FOUND', username);
  if (!a.enabled || a.role === 'admin') throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `officer: ${username} cannot hold cases`);
  return a;
}

export function caseWriteRoutes(app: FastifyInstance, ctx: RouteContext): void {
  /** The signed-in account, the case's reference (visible to them), and the checked body. */
  async function caseChange<S extends z.ZodType>(request: FastifyRequest, body: S): Promise<{ user: User; ref: string; b: z.output<S> }> {
    const user = await requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(body, request.body, 'body');
    requireWritable(ctx);
    await requireVisibleCase(ctx, user, ref);
    return { user, ref, b };
  }

  app.post('/api/cases', async (request, reply) => {
    const user = await requireUser(ctx.users, request);
    const b = parseRequest(OpenCaseBody, request.body, 'body');
    requireWritable(ctx);
    await requireAssignable(ctx, b.officer);
    const now = ctx.now();
    // The next free reference is taken inside the opening's own transaction (openCaseSteps without a ref).
    const c = await ctx.record.write(openCaseSteps({ category: b.category, officer: b.officer, address: b.address, ...(b.complainant === undefined ? {} : { complainant: b.complainant }) }, now));
    await logAccess(ctx, { username: user.username, action: 'case', caseRef: c.ref, target: `opened ${c.ref}` });
    return reply.code(201).send({ ref: c.ref });
  });

  app.post('/api/cases/:ref/category', async (request) => {
    const { user, ref, b } = await caseChange(request, CategoryBody);
    const c = await ctx.record.write(categoriseCaseSteps({ ref, category: b.category, reason: b.reason, by: user.username }, ctx.now()));
    return { ref: c.ref, category: c.category, responseDueAt: c.responseDueAt };
  });

  app.post('/api/cases/:ref/officer', async (request) => {
    const { user, ref, b } = await caseChange(request, OfficerBody);
    await requireAssignable(ctx, b.officer);
    const c = await ctx.record.write(reassignCaseSteps({ ref, officer: b.officer, reason: b.reason, by: user.username }, ctx.now()));
    return { ref: c.ref, officer: c.officer };
  });

  app.post('/api/cases/:ref/status', async (request) => {
    const { user, ref, b } = await caseChange(request, StatusBody);
    const c = await ctx.record.write(changeCaseStatusSteps({ ref, status: b.status, reason: b.reason, by: user.username }, ctx.now()));
    return { ref: c.ref, status: c.status };
  });

  app.post('/api/cases/:ref/contacts', async (request, reply) => {
    const { user, ref, b } = await caseChange(request, ContactBody);
    const c = await ctx.record.write(recordContactSteps({ caseRef: ref, method: b.method, summary: b.summary, by: user.username, ...(b.at === undefined ? {} : { at: b.at }) }, ctx.now()));
    return reply.code(201).send(c);
  });

  app.post('/api/cases/:ref/plan', async (request, reply) => {
    const { user, ref, b } = await caseChange(request, PlanBody);
    return reply.code(201).send(await ctx.record.write(addPlanNoteSteps({ caseRef: ref, text: b.text, by: user.username }, ctx.now())));
  });
}
