/** GET /api/dashboard, GET /api/officers, GET /api/monitors (issue 12). */
import type { FastifyInstance } from 'fastify';
import { dashboardSteps, monitorHealthSteps } from '../dashboard/index.ts';
import { all } from '../storage/record/steps.ts';
import { requireUser } from './auth.ts';
import type { RouteContext } from './context.ts';
import { DashboardQuery } from './write-schemas.ts';
import { parseRequest } from './validate.ts';

/** Every monitor's health and the officer of each case, in one snapshot. */
function* monitorsSteps(now: number) {
  const officers = yield* all<{ ref: string; officer: string }>('SELECT ref, officer FROM cases');
  return { health: yield* monitorHealthSteps(now), officerOf: new Map(officers.map((c) => [c.ref, c.officer])) };
}

export function dashboardRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/dashboard', async (request) => {
    const user = await requireUser(ctx.users, request);
    const q = parseRequest(DashboardQuery, request.query, 'query');
    // Officers see their own caseload; supervisors and admins everyone's unless they ask for theirs.
    const scope = user.role === 'officer' ? 'mine' : (q.scope ?? 'all');
    return ctx.record.read(dashboardSteps({ username: user.username, scope, now: ctx.now() }));
  });

  /** Accounts a case may be assigned to: enabled officers and supervisors (issue 11 item 8: by account). */
  app.get('/api/officers', async (request) => {
    await requireUser(ctx.users, request);
    const officers = (await ctx.users.accounts()).filter((a) => a.enabled && a.role !== 'admin').map((a) => ({ username: a.username, displayName: a.displayName, role: a.role }));
    return { officers };
  });

  /** Every monitor's health; an officer sees the case of a monitor only when the case is theirs. */
  app.get('/api/monitors', async (request) => {
    const user = await requireUser(ctx.users, request);
    const { health, officerOf } = await ctx.record.read(monitorsSteps(ctx.now()));
    const monitors = health.map((m) => {
      if (m.caseRef === null) return { ...m, inUse: false };
      const mine = ctx.users.canSeeCase(user, officerOf.get(m.caseRef) ?? '');
      return { ...m, inUse: true, caseRef: mine ? m.caseRef : null, deploymentId: mine ? m.deploymentId : null };
    });
    return { monitors };
  });
}
