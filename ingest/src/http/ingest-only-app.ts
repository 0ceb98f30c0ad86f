/**
 * The HTTP side of `earshot serve` on a PostgreSQL store (DESIGN §8): /healthz
 * and /readyz for a load balancer or supervisor (health.ts), and a clear
 * refusal for everything else. The officer web view and API read the record
 * synchronously from the embedded store and do not yet run on PostgreSQL; a
 * browser pointed here gets one sentence saying so (an HTML page, or
 * `{ code, message }` for /api), never an empty page or a stack trace.
 */
import { formatError } from '@earshot/shared';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type CheckName, healthRoutes } from './health.ts';
import { errorBody } from './reply-error.ts';

const CODE = 'EARSHOT_E_STORE_NOT_SUPPORTED';
const WHAT = 'the officer web view and API on PostgreSQL; this process stores what the monitors send and answers /healthz and /readyz';

function page(message: string): string {
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Earshot ingest</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}code{font-size:.9em}</style></head>
<body><h1>Earshot ingest</h1><p>${message}</p><p><code>${CODE}</code></p></body></html>`;
}

export async function createIngestOnlyApp(o: { logger: FastifyBaseLogger; readiness: () => Partial<Record<CheckName, boolean>> }): Promise<FastifyInstance> {
  const app = fastify({ loggerInstance: o.logger, disableRequestLogging: true });
  healthRoutes(app, o.readiness);
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) {
      const e = errorBody(CODE, WHAT);
      void reply.code(e.status).send(e.body);
      return;
    }
    void reply.code(errorBody(CODE, WHAT).status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(formatError(CODE, WHAT)));
  });
  await app.ready();
  return app;
}
