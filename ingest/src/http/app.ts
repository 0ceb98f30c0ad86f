/**
 * The officer HTTP API and web view (issue 5), one fastify app: JSON under /api,
 * the static web view (ingest/web, plain ES modules, no build step) at /, and
 * uPlot's files at /vendor/uplot/. Requests and responses are checked with zod
 * in the handlers (validate.ts); errors are `{ code, message }` with the
 * registry's status (reply-error.ts). The app does not listen: the caller does.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Db } from '../db/open.ts';
import type { TimelineService } from '../timeline/index.ts';
import { type AccessEvidencePort, createAccessLog, type Users } from '../users/index.ts';
import { bundleRoutes } from './bundle-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { type ClipLookup, createClipLookup } from './clip-lookup.ts';
import { clipRoutes } from './clip-routes.ts';
import type { RouteContext } from './context.ts';
import { type ExportBundle, createJobs, type Jobs } from './jobs.ts';
import { errorBody, handleError } from './reply-error.ts';
import { sessionRoutes } from './session-routes.ts';
import { createUrlSigner } from './signed-url.ts';

export interface HttpDeps {
  readonly db: Db;
  readonly users: Users;
  readonly timeline: TimelineService;
  /** The court bundle writer (bundle/), injected. */
  readonly exportBundle: ExportBundle;
  /** The evidence log, for the access log's leaves. */
  readonly evidence: AccessEvidencePort;
  readonly logger: FastifyBaseLogger;
  /** The data folder's clips folder (stored clip file names are relative to it). */
  readonly clipsDir: string;
  /** Default: clips table lookup. */
  readonly clips?: ClipLookup;
  readonly now?: () => number;
  /** Key for signed clip and download URLs; default random per process (links die with it). */
  readonly urlKey?: Buffer;
  /** Default: ingest/web beside this package. */
  readonly webRoot?: string;
}

export interface HttpApp {
  readonly app: FastifyInstance;
  readonly jobs: Jobs;
}

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_ROOT = join(here, '..', '..', 'web');

function uplotDist(): string {
  return dirname(createRequire(import.meta.url).resolve('uplot'));
}

export async function createHttpApp(deps: HttpDeps): Promise<HttpApp> {
  const now = deps.now ?? Date.now;
  const app = fastify({ loggerInstance: deps.logger, bodyLimit: 64 * 1024 });
  const jobs = createJobs(deps.exportBundle, (job, e) => app.log.error({ err: e, job: job.id, caseRef: job.caseRef }, 'bundle export failed'));
  const ctx: RouteContext = {
    db: deps.db,
    users: deps.users,
    accessLog: createAccessLog(deps.db, deps.evidence, now),
    timeline: deps.timeline,
    clips: deps.clips ?? createClipLookup(deps.db, deps.clipsDir),
    jobs,
    signer: createUrlSigner(deps.urlKey ?? randomBytes(32)),
    now,
  };
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const e = errorBody('EARSHOT_E_HTTP_NOT_FOUND', `${request.method} ${request.url.split('?')[0] ?? ''}`);
    void reply.code(e.status).send(e.body);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    // No framing by other sites, no MIME sniffing, no referrer carrying signed URLs away.
    reply.header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    return payload;
  });
  sessionRoutes(app, ctx);
  caseRoutes(app, ctx);
  clipRoutes(app, ctx);
  bundleRoutes(app, ctx);
  await app.register(fastifyStatic, { root: deps.webRoot ?? WEB_ROOT, prefix: '/', index: 'index.html', wildcard: false });
  await app.register(fastifyStatic, { root: uplotDist(), prefix: '/vendor/uplot/', decorateReply: false, wildcard: false });
  return { app, jobs };
}
