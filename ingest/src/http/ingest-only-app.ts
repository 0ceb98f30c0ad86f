/**
 * The HTTP side of `earshot serve` on a PostgreSQL store (DESIGN §8): /healthz
 * and /readyz for a load balancer or supervisor (health.ts), the resident's
 * diary page and API under /r/ (DESIGN §6b, through the record port, so a link
 * `earshot deploy link` issues on this store works on any process), and a
 * clear refusal for everything else. The officer web view and API read the record
 * synchronously from the embedded store and do not yet run on PostgreSQL; a
 * browser pointed here gets one sentence saying so (an HTML page, or
 * `{ code, message }` for /api), never an empty page or a stack trace.
 */
import { createHash } from 'node:crypto';
import { formatError } from '@earshot/shared';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type RecordingKeeper, residentRoutes } from '../resident/index.ts';
import type { RecordStore } from '../storage/record/steps.ts';
import { type CheckName, healthRoutes } from './health.ts';
import { errorBody } from './reply-error.ts';
import { securityHeaders } from './security-headers.ts';

const CODE = 'EARSHOT_E_STORE_NOT_SUPPORTED';
const WHAT = 'the officer web view and API on PostgreSQL; this process stores what the monitors send and answers /healthz and /readyz';
/** What an officer can do on this store meanwhile (storage/command-support.ts ON_POSTGRES). */
const MEANWHILE = 'Accounts, cases, deployments, diary links and diary entries are made on this store with the earshot commands: <code>earshot user add</code>, <code>earshot case open</code>, <code>earshot deploy start</code>, <code>earshot deploy link</code>, <code>earshot diary add</code>; and the court bundle is exported here with <code>earshot bundle export</code>.';

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}code{font-size:.9em}';
/** The refusal page's own policy (CSP Level 3, W3C): nothing but its one inline style, allowed by its hash. */
const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function page(message: string): string {
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Earshot ingest</title><style>${STYLE}</style></head>
<body><h1>Earshot ingest</h1><p>${message.charAt(0).toUpperCase()}${message.slice(1)}.</p><p>${MEANWHILE}</p><p><code>${CODE}</code></p></body></html>`;
}

export interface IngestOnlyAppOptions {
  readonly logger: FastifyBaseLogger;
  readonly readiness: () => Partial<Record<CheckName, boolean>>;
  /** The resident's page on this store: its record and where phone recordings go (the store's clip_files). */
  readonly resident?: { readonly record: RecordStore; readonly keep: RecordingKeeper; readonly now?: () => number };
}

export async function createIngestOnlyApp(o: IngestOnlyAppOptions): Promise<FastifyInstance> {
  const app = fastify({ loggerInstance: o.logger, logController: new fastify.LogController({ disableRequestLogging: true }) });
  app.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });
  healthRoutes(app, o.readiness);
  if (o.resident !== undefined) await app.register(residentRoutes({ record: o.resident.record, keep: o.resident.keep, now: o.resident.now ?? Date.now }));
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) {
      const e = errorBody(CODE, WHAT);
      void reply.code(e.status).send(e.body);
      return;
    }
    void reply.code(errorBody(CODE, WHAT).status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', PAGE_CSP)
      .send(page(formatError(CODE, WHAT)));
  });
  await app.ready();
  return app;
}
