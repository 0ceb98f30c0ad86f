/** POST /api/cases/:ref/bundle (start an export), GET /api/jobs/:id (progress), GET /api/jobs/:id/download. */
import { EarshotError } from '@earshot/shared';
import type { FastifyInstance } from 'fastify';
import { validatePeriod } from '../timeline/index.ts';
import type { User } from '../users/index.ts';
import { requireSession, requireUserOrSignature } from './auth.ts';
import { logAccess, type RouteContext, requireVisibleCase } from './context.ts';
import type { Job } from './jobs.ts';
import { BundleBody, CaseParams, JobOut, JobParams, SignedQuery } from './schemas.ts';
import { checkResponse, parseRequest } from './validate.ts';

async function requireJob(ctx: RouteContext, user: User, id: string): Promise<Job> {
  const job = await ctx.jobs.get(id);
  // Issue 11 item 9: an export is bound to whoever asked for it, whatever the role of another (a supervisor
  // exports for themselves, and their own export is what the access log credits them with). Someone else's
  // job is reported as missing: its existence is not theirs to know.
  if (job === null || job.username !== user.username) throw new EarshotError('EARSHOT_E_HTTP_JOB_NOT_FOUND', id);
  return job;
}

export function bundleRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const jobOut = (job: Job, user: User, sessionId: string) =>
    checkResponse(JobOut, {
      id: job.id, caseRef: job.caseRef, state: job.state, progress: job.progress, stage: job.stage, error: job.error,
      downloadUrl: job.state === 'done' ? ctx.signer.sign(`/api/jobs/${job.id}/download`, user.username, sessionId, ctx.now()) : null,
    });

  app.post('/api/cases/:ref/bundle', async (request, reply) => {
    const { user, sessionId } = await requireSession(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const body = parseRequest(BundleBody, request.body ?? {}, 'body');
    await requireVisibleCase(ctx, user, ref);
    validatePeriod(Date.parse(body.from), Date.parse(body.to), 1);
    const options = { from: new Date(body.from).toISOString(), to: new Date(body.to).toISOString(), initials: body.initials ?? user.initials, includeComplainant: body.includeComplainant };
    await logAccess(ctx, { username: user.username, action: 'export', caseRef: ref, target: `${options.from}/${options.to}${options.includeComplainant ? ' with complainant' : ''}` });
    const job = await ctx.jobs.start(ref, user.username, options);
    return reply.code(202).send(jobOut(job, user, sessionId));
  });

  app.get('/api/jobs/:id', async (request) => {
    const { user, sessionId } = await requireSession(ctx.users, request);
    const { id } = parseRequest(JobParams, request.params, 'path');
    return jobOut(await requireJob(ctx, user, id), user, sessionId);
  });

  app.get('/api/jobs/:id/download', async (request, reply) => {
    const { id } = parseRequest(JobParams, request.params, 'path');
    const query = parseRequest(SignedQuery, request.query, 'query');
    const user = await requireUserOrSignature(ctx.users, ctx.signer, request, `/api/jobs/${id}/download`, query, ctx.now());
    const job = await requireJob(ctx, user, id);
    if (job.state !== 'done' || job.file === null) throw new EarshotError('EARSHOT_E_HTTP_JOB_NOT_READY', `${id} is ${job.state}`);
    const bytes = await ctx.jobs.open(job);
    if (bytes === null) throw new EarshotError('EARSHOT_E_HTTP_JOB_NOT_FOUND', `${id}: the bundle file is gone`);
    await logAccess(ctx, { username: user.username, action: 'download', caseRef: job.caseRef, target: job.file });
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${job.file.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });
}
