/**
 * GET /api/cases/:ref/bands and GET /api/cases/:ref/events/:device/:eventId/spectrum
 * (issue 16): the 1/3-octave bands per bucket of the level chart, and an event's
 * average spectrum against the quiet time before it. Reads are access-logged like
 * the timeline's.
 */
import type { FastifyInstance } from 'fastify';
import { caseBandsSteps, eventSpectrumSteps } from '../timeline/case-bands.ts';
import { requireUser } from './auth.ts';
import { BandsOut, BandsQuery, EventSpectrumOut, EventSpectrumParams } from './band-schemas.ts';
import { logAccess, type RouteContext, requireVisibleCase } from './context.ts';
import { CaseParams } from './schemas.ts';
import { checkResponse, parseRequest } from './validate.ts';

export function bandRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/cases/:ref/bands', async (request) => {
    const user = await requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const q = parseRequest(BandsQuery, request.query, 'query');
    await requireVisibleCase(ctx, user, ref);
    const out = await ctx.record.read(caseBandsSteps({ caseRef: ref, from: Date.parse(q.from), to: Date.parse(q.to), width: q.width }, ctx.now()));
    await logAccess(ctx, { username: user.username, action: 'timeline', caseRef: ref, target: `bands ${out.from}/${out.to}` });
    return checkResponse(BandsOut, out);
  });

  app.get('/api/cases/:ref/events/:device/:eventId/spectrum', async (request) => {
    const user = await requireUser(ctx.users, request);
    const p = parseRequest(EventSpectrumParams, request.params, 'path');
    await requireVisibleCase(ctx, user, p.ref);
    const out = await ctx.record.read(eventSpectrumSteps(p.ref, p.device, p.eventId, ctx.now()));
    await logAccess(ctx, { username: user.username, action: 'timeline', caseRef: p.ref, target: `spectrum ${p.device}/${p.eventId}` });
    return checkResponse(EventSpectrumOut, out);
  });
}
