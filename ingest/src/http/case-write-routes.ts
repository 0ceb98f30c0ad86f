/**
 * The officer's case actions (issue 12): open, re-categorise, reassign, change
 * status, record a contact, add to the action plan. Each is the cases area's
 * own operation, so each is a row and an evidence-log leaf in one transaction.
 * `by` is always the logged-in account.
 */
import { EarshotError } from '@earshot/shared';
import type { FastifyInstance } from 'fastify';
import { addPlanNote, categoriseCase, changeCaseStatus, nextCaseRef, openCase, reassignCase, recordContact } from '../cases/index.ts';
import type { User } from '../users/index.ts';
import { requireUser } from './auth.ts';
import { type RouteContext, requireCases, requireVisibleCase } from './context.ts';
import { CaseParams } from './schemas.ts';
import { CategoryBody, ContactBody, OfficerBody, OpenCaseBody, PlanBody, StatusBody } from './write-schemas.ts';
import { parseRequest } from './validate.ts';

/** A case is assigned to an enabled officer or supervisor account (issue 11 item 8). */
export function requireAssignable(ctx: RouteContext, username: string): User {
  const a = ctx.users.accounts().find((u) => u.username === username);
  if (a === undefined) throw new EarshotError('EARSHOT_E_USER_NOT_FOUND', username);
  if (!a.enabled || a.role === 'admin') throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `officer: ${username} cannot hold cases`);
  return a;
}

export function caseWriteRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/cases', async (request, reply) => {
    const user = requireUser(ctx.users, request);
    const b = parseRequest(OpenCaseBody, request.body, 'body');
    const cases = requireCases(ctx);
    requireAssignable(ctx, b.officer);
    const ref = nextCaseRef(ctx.db, 'ASB', new Date(ctx.now()).getUTCFullYear());
    const c = openCase(cases, { ref, category: b.category, officer: b.officer, address: b.address, ...(b.complainant === undefined ? {} : { complainant: b.complainant }) });
    ctx.accessLog.record({ username: user.username, action: 'case', caseRef: c.ref, target: `opened ${c.ref}` });
    return reply.code(201).send({ ref: c.ref });
  });

  app.post('/api/cases/:ref/category', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(CategoryBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    const c = categoriseCase(requireCases(ctx), { ref, category: b.category, reason: b.reason, by: user.username });
    return { ref: c.ref, category: c.category, responseDueAt: c.responseDueAt };
  });

  app.post('/api/cases/:ref/officer', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(OfficerBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    requireAssignable(ctx, b.officer);
    const c = reassignCase(requireCases(ctx), { ref, officer: b.officer, reason: b.reason, by: user.username });
    return { ref: c.ref, officer: c.officer };
  });

  app.post('/api/cases/:ref/status', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(StatusBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    const c = changeCaseStatus(requireCases(ctx), { ref, status: b.status, reason: b.reason, by: user.username });
    return { ref: c.ref, status: c.status };
  });

  app.post('/api/cases/:ref/contacts', async (request, reply) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(ContactBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    const c = recordContact(requireCases(ctx), { caseRef: ref, method: b.method, summary: b.summary, by: user.username, ...(b.at === undefined ? {} : { at: b.at }) });
    return reply.code(201).send(c);
  });

  app.post('/api/cases/:ref/plan', async (request, reply) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(PlanBody, request.body, 'body');
    requireVisibleCase(ctx, user, ref);
    return reply.code(201).send(addPlanNote(requireCases(ctx), { caseRef: ref, text: b.text, by: user.username }));
  });
}
