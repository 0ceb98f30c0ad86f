/** GET /api/cases, GET /api/cases/:ref, GET /api/cases/:ref/timeline. Case page and timeline reads are logged. */
import type { FastifyInstance } from 'fastify';
import { listCases, showCase } from '../cases/case-queries.ts';
import { listDeployments } from '../cases/deployments.ts';
import { requireUser } from './auth.ts';
import { createCaseFacts } from './case-list.ts';
import { type RouteContext, requireVisibleCase } from './context.ts';
import { CaseListOut, CaseOut, CaseParams, TimelineOut, TimelineQuery } from './schemas.ts';
import { checkResponse, parseRequest } from './validate.ts';

const WEEK_MS = 7 * 86_400_000;

export function caseRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const facts = createCaseFacts(ctx.db);

  app.get('/api/cases', async (request) => {
    const user = requireUser(ctx.users, request);
    const now = ctx.now();
    const cases = listCases(ctx.db)
      .filter((c) => ctx.users.canSeeCase(user, c.officer))
      .map((c) => ({
        ref: c.ref, status: c.status, category: c.category, officer: c.officer, address: c.address, openedAt: c.openedAt,
        responseDueAt: c.responseDueAt, responseDueDate: c.responseDueDate, ...facts(c, now),
      }));
    return checkResponse(CaseListOut, { cases });
  });

  app.get('/api/cases/:ref', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    requireVisibleCase(ctx, user, ref);
    const now = ctx.now();
    const c = showCase(ctx.db, ref);
    const deployments = listDeployments(ctx.db, { caseRef: ref });
    // The last week of monitoring (or of the case, before any deployment).
    const first = deployments[0];
    const end = first === undefined ? now : Math.min(now, Math.max(...deployments.map((d) => (d.removedAt === null ? now : Date.parse(d.removedAt)))));
    const began = first === undefined ? Date.parse(c.openedAt) : Date.parse(first.installedAt);
    const start = began < end ? Math.max(began, end - WEEK_MS) : end - WEEK_MS;
    ctx.accessLog.record({ username: user.username, action: 'case', caseRef: ref, target: ref });
    return checkResponse(CaseOut, {
      ref: c.ref, status: c.status, category: c.category, officer: c.officer, address: c.address, openedAt: c.openedAt,
      responseDueAt: c.responseDueAt, responseDueDate: c.responseDueDate, ...facts(c, now),
      history: [...c.history],
      deployments: deployments.map((d) => ({ deploymentId: d.id, deviceId: d.deviceId, from: d.installedAt, to: d.removedAt, audioMode: d.audioMode, driftDb: d.driftDb })),
      suggestedPeriod: { from: new Date(start).toISOString(), to: new Date(end).toISOString() },
    });
  });

  app.get('/api/cases/:ref/timeline', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const q = parseRequest(TimelineQuery, request.query, 'query');
    requireVisibleCase(ctx, user, ref);
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    const tl = ctx.timeline.build({ caseRef: ref, from, to, width: q.width });
    ctx.accessLog.record({ username: user.username, action: 'timeline', caseRef: ref, target: `${tl.from}/${tl.to}` });
    const now = ctx.now();
    const clips = tl.clips.map((c) => ({
      ...c,
      url: c.state === 'complete' ? ctx.signer.sign(`/api/clips/${c.deviceId}/${c.clipId}`, user.username, now) : null,
    }));
    return checkResponse(TimelineOut, { ...tl, clips });
  });
}
