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

const { LogController } = fastify;
import type { RecordStore } from '../storage/record/steps.ts';
import type { Users } from '../users/index.ts';
import { bundleRoutes } from './bundle-routes.ts';
import { type CheckName, healthRoutes } from './health.ts';
import { bandRoutes } from './band-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { clipRoutes } from './clip-routes.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import { type DeviceAdmin, registryAdmin } from './device-admin.ts';
import { adminRoutes } from './admin-routes.ts';
import { caseWriteRoutes } from './case-write-routes.ts';
import type { ProvisioningBase, RouteContext } from './context.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { deploymentRoutes } from './deployment-routes.ts';
import { diaryRoutes } from './diary-routes.ts';
import type { ClipBytes } from './clip-store.ts';
import type { RecordingKeeper } from '../resident/intake.ts';
import { residentRoutes } from '../resident/routes.ts';
import { securityHeaders } from './security-headers.ts';
import { type ExportBundle, createJobs, type JobStore, type Jobs } from './jobs.ts';
import { errorBody, handleError } from './reply-error.ts';
import { sessionRoutes } from './session-routes.ts';
import { createUrlSigner } from './signed-url.ts';

export interface HttpDeps {
  /**
   * The record on either store (storage/record/steps.ts): the embedded one (storage/record/embedded-record.ts)
   * or PostgreSQL's (postgres-record.ts). Every route reads and changes the record through it, so the same app
   * serves both, and any number of instances on one PostgreSQL store answer alike.
   */
  readonly record: RecordStore;
  readonly users: Users;
  /** The court bundle writer (bundle/), injected. */
  readonly exportBundle: ExportBundle;
  /** Where export jobs and their ZIPs are kept (jobs.ts); default this process's memory. */
  readonly jobStore?: JobStore;
  readonly logger: FastifyBaseLogger;
  /** Where the stored clips' bytes are (clip-store.ts). */
  readonly clips: ClipBytes;
  readonly now?: () => number;
  /** Key for signed clip and download URLs; default random per process (links die with it). */
  readonly urlKey?: Buffer;
  /** Default: ingest/web beside this package. */
  readonly webRoot?: string;
  /** Connection timeouts and bounds (HTTP_LIMITS by default). */
  readonly limits?: Partial<HttpLimits>;
  /** Case changes from the browser (issue 12); default true. A read-only app refuses them. */
  readonly writable?: boolean;
  /** The devices (issue 12): listed in the browser, named by deployments. */
  readonly registry?: DeviceRegistry;
  /** Device administration from the browser (issue 12); default: the registry's own changes (the embedded store). */
  readonly devices?: DeviceAdmin;
  /** The broker address and server key a new monitor's provisioning details name. */
  readonly provisioning?: ProvisioningBase;
  /** After a deployment starts or ends (the service publishes the monitor's config). */
  readonly onDeploymentsChanged?: () => void;
  /** /readyz's checks (health.ts); default none (a test app). */
  readonly readiness?: () => Partial<Record<CheckName, boolean>>;
  /** The resident's diary page and API under /r/ (issue 13): where phone recordings are kept. */
  readonly resident?: { readonly keep: RecordingKeeper };
}

/**
 * Slow or idle clients cannot hold the server (issue 11: 1,500 connections that
 * never finished their headers were held for 80 s and more). Node's defaults
 * (node:http: headersTimeout 60 s, requestTimeout 300 s, checked every 30 s;
 * fastify's keepAliveTimeout 72 s) are shortened; a request here is small (the
 * body limit is 64 KiB), and downloads are responses, which these do not cut.
 */
export interface HttpLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** How often node:http looks for connections past the two timeouts above. */
  readonly checkIntervalMs: number;
  /** A socket with no traffic either way for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Open connections at once (net.Server maxConnections); more are closed at accept. */
  readonly maxConnections: number;
}

export const HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1_024,
};

/** The path of a URL without its query: signed links carry credentials there, and logs must not (issue 11). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
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
  const limits: HttpLimits = { ...HTTP_LIMITS, ...deps.limits };
  const app = fastify({
    loggerInstance: deps.logger,
    bodyLimit: 64 * 1024,
    // fastify's own request lines log the URL whole, query included: replaced by the redacted ones below.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs },
  });
  app.server.maxConnections = limits.maxConnections;
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: redactUrl(request.url), statusCode: reply.statusCode, remoteAddress: request.ip, responseTimeMs: Math.round(reply.elapsedTime) }, 'request completed');
  });
  const jobs = createJobs(deps.exportBundle, (job, e) => app.log.error({ err: e, job: job.id, caseRef: job.caseRef }, 'bundle export failed'), deps.jobStore);
  const ctx: RouteContext = {
    record: deps.record,
    users: deps.users,
    clips: deps.clips,
    jobs,
    signer: createUrlSigner(deps.urlKey ?? randomBytes(32)),
    now,
    writable: deps.writable ?? true,
    registry: deps.registry ?? null,
    devices: deps.devices ?? (deps.registry === undefined ? null : registryAdmin(deps.registry)),
    provisioning: deps.provisioning ?? null,
    onDeploymentsChanged: deps.onDeploymentsChanged ?? (() => undefined),
  };
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const e = errorBody('EARSHOT_E_HTTP_NOT_FOUND', `${request.method} ${request.url.split('?')[0] ?? ''}`);
    void reply.code(e.status).send(e.body);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });
  healthRoutes(app, deps.readiness ?? (() => ({})));
  sessionRoutes(app, ctx);
  caseRoutes(app, ctx);
  bandRoutes(app, ctx);
  clipRoutes(app, ctx);
  bundleRoutes(app, ctx);
  dashboardRoutes(app, ctx);
  caseWriteRoutes(app, ctx);
  deploymentRoutes(app, ctx);
  diaryRoutes(app, ctx);
  adminRoutes(app, ctx);
  // Issue 13: the resident's diary page and API under /r/.
  if (deps.resident !== undefined) await app.register(residentRoutes({ record: deps.record, keep: deps.resident.keep, now }));
  await app.register(fastifyStatic, { root: deps.webRoot ?? WEB_ROOT, prefix: '/', index: 'index.html', wildcard: false });
  await app.register(fastifyStatic, { root: uplotDist(), prefix: '/vendor/uplot/', decorateReply: false, wildcard: false });
  return { app, jobs };
}
