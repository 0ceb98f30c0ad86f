/**
 * /readyz on PostgreSQL (http/health.ts): the checks are asked synchronously,
 * so the store is probed in the background every few seconds and the last
 * answers kept — `store` (a query answers) and `migrations` (the database holds
 * exactly this version's schema: SCHEMA_VERSION migrations, none unknown).
 */
import type pg from 'pg';
import { PG_MIGRATIONS } from './schema/index.ts';

/** How often the store is asked: a load balancer's probe comes every few seconds. */
export const PROBE_EVERY_MS = 2_000;

export interface StoreProbe {
  store(): boolean;
  migrations(): boolean;
  stop(): void;
}

export function startStoreProbe(pool: pg.Pool, everyMs: number = PROBE_EVERY_MS): StoreProbe {
  const expected = new Set(PG_MIGRATIONS.map((m) => m.name));
  let store = true;
  let migrations = true;
  let running = false;
  const probe = async (): Promise<void> => {
    try {
      const names = (await pool.query<{ name: string }>('SELECT name FROM schema_migrations')).rows;
      store = true;
      migrations = names.length === expected.size && names.every((r) => expected.has(r.name));
    } catch {
      store = false;
      migrations = false;
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void probe().finally(() => {
      running = false;
    });
  }, everyMs);
  timer.unref();
  return { store: () => store, migrations: () => migrations, stop: () => clearInterval(timer) };
}
