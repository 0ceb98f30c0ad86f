/**
 * Liveness and readiness for a load balancer or supervisor, unauthenticated
 * and carrying no data (no device, case or count; only which check failed):
 * - GET /healthz: the process answers HTTP. 200 `{"status":"live"}`.
 * - GET /readyz: this process can take work. 200 when every check holds, 503
 *   otherwise, with `{"ready",checks:{name:"ok"|"failing"}}`:
 *   `store` (the database is open and answers), `migrations` (it holds exactly
 *   the schema this version applies: none missing, none from a newer version),
 *   `broker` (embedded: listening; external: connected with the shared
 *   subscription granted).
 * Probes come every few seconds: their requests are not logged.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/open.ts';

export interface ReadinessChecks {
  readonly db: Db;
  /** The names of every migration this version applies (service/migrations.ts); absent: not checked. */
  readonly migrations?: readonly string[];
  /** The broker link's readiness; absent where the process has no broker (a test app). */
  readonly broker?: () => boolean;
}

export type CheckName = 'store' | 'migrations' | 'broker';

export function readiness(c: ReadinessChecks): () => Partial<Record<CheckName, boolean>> {
  const expected = new Set(c.migrations ?? []);
  let applied: { all(): { name: string }[] } | null = null;
  const store = (): boolean => {
    try {
      return c.db.open && c.db.prepare('SELECT 1 AS one').get() !== undefined;
    } catch {
      return false;
    }
  };
  const migrations = (): boolean => {
    try {
      applied ??= c.db.prepare<[], { name: string }>('SELECT name FROM schema_migrations');
      const names = applied.all();
      return names.length === expected.size && names.every((r) => expected.has(r.name));
    } catch {
      return false;
    }
  };
  return () => {
    const out: Partial<Record<CheckName, boolean>> = { store: store() };
    if (c.migrations !== undefined) out.migrations = out.store === true && migrations();
    if (c.broker !== undefined) out.broker = c.broker();
    return out;
  };
}

export function healthRoutes(app: FastifyInstance, check: () => Partial<Record<CheckName, boolean>>): void {
  // Route log level above the request log's info lines (app.ts onResponse): probes do not flood the log.
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'live' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const results = check();
    const ready = Object.values(results).every((v) => v);
    const checks = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v ? 'ok' : 'failing']));
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ ready, checks });
  });
}
