/**
 * GET /api/cases/:ref/bands and GET /api/cases/:ref/events/:device/:eventId/spectrum
 * (issue 16): the 1/3-octave bands per bucket of the level chart, and an event's
 * average spectrum against the quiet time before it. Reads are access-logged like
 * the timeline's.
 */
import type { FastifyInstance } from 'fastify';
import { createCaseBandsService } from '../timeline/case-bands.ts';
import { requireUser } from './auth.ts';
import { BandsOut, BandsQuery, EventSpectrumOut, EventSpectrumParams } from './band-schemas.ts';
import { type RouteContext, requireVisibleCase } from './context.ts';
import { CaseParams } from './schemas.ts';
import { checkResponse, parseRequest } from './validate.ts';

export function bandRoutes(app: FastifyInstance, ctx: RouteContext): void {
  // Made at the first request: the band tables are then in place whatever order the store was opened in.
  let made: ReturnType<typeof createCaseBandsService> | undefined;
  const service = (): ReturnType<typeof createCaseBandsService> => (made ??= createCaseBandsService(ctx.db, ctx.now));

  app.get('/api/cases/:ref/bands', async (request) => {
    const user = requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const q = parseRequest(BandsQuery, request.query, 'query');
    requireVisibleCase(ctx, user, ref);
    const out = service().bands({ caseRef: ref, from: Date.parse(q.from), to: Date.parse(q.to), width: q.width });
    ctx.accessLog.record({ username: user.username, action: 'timeline', caseRef: ref, target: `bands ${out.from}/${out.to}` });
    return checkResponse(BandsOut, out);
  });

  app.get('/api/cases/:ref/events/:device/:eventId/spectrum', async (request) => {
    const user = requireUser(ctx.users, request);
    const p = parseRequest(EventSpectrumParams, request.params, 'path');
    requireVisibleCase(ctx, user, p.ref);
    const out = service().eventSpectrum(p.ref, p.device, p.eventId);
    ctx.accessLog.record({ username: user.username, action: 'timeline', caseRef: p.ref, target: `spectrum ${p.device}/${p.eventId}` });
    return checkResponse(EventSpectrumOut, out);
  });
}
