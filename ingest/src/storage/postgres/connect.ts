/**
 * Connects to PostgreSQL (DESIGN §8) through node-postgres (`pg`).
 *
 * Why node-postgres rather than postgres.js: it is the most widely used and
 * longest maintained Node driver (the one Kysely's and Drizzle's PostgreSQL
 * dialects build on), it hands out an explicit client for a transaction — which
 * is what a transaction-scoped advisory lock and "PUBACK only after COMMIT"
 * need to be visible in the code rather than implicit in a callback — it keeps
 * bytea as Buffer both ways, supports named prepared statements, and has
 * maintained type definitions (@types/pg). postgres.js is faster on pipelined
 * queries, but Earshot's hot paths batch rows into one statement anyway.
 *
 * Opening checks everything before returning, so a command never starts
 * half-connected: the server answers, the credentials hold, the server is
 * PostgreSQL 15 or later, and the schema is this version's (migrate.ts).
 * 64-bit integers come back as numbers, refused past 2^53 (never silently
 * rounded).
 */
import { EarshotError } from '@earshot/shared';
import pg from 'pg';
import type { PostgresTarget } from '../store-url.ts';
import { connectFailure } from './connect-errors.ts';
import { migratePostgres } from './migrate.ts';

// https://www.postgresql.org/docs/15/datatype.html: bigint's type OID is 20 (pg_type.oid, int8).
const INT8_OID = 20;
// DESIGN §8: PostgreSQL 15 or later (server_version_num, https://www.postgresql.org/docs/15/runtime-config-preset.html).
export const MIN_SERVER_VERSION_NUM = 150000;
const CONNECT_TIMEOUT_MS = 10_000;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new EarshotError('EARSHOT_E_INTERNAL', `a bigint ${text} is beyond 2^53`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresOptions {
  /** Connections the pool may hold (default 4). */
  readonly maxConnections?: number;
  /** Apply pending migrations (default true); false only checks the schema is not newer. */
  readonly migrate?: boolean;
}

/** An open, checked pool; `end()` closes it. */
export async function openPostgres(target: PostgresTarget, options: PostgresOptions = {}): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: target.url, types, max: options.maxConnections ?? 4, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'earshot' });
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const c = await pool.connect().catch((e: unknown) => {
      throw connectFailure(e, target);
    });
    try {
      const v = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      const num = Number(v.rows[0]?.v);
      if (!(num >= MIN_SERVER_VERSION_NUM)) {
        throw new EarshotError('EARSHOT_E_STORE_VERSION_UNSUPPORTED', `${target.host}:${target.port} runs PostgreSQL ${Math.floor(num / 10000)}; Earshot needs 15 or later`);
      }
      await migratePostgres(c, { apply: options.migrate ?? true });
    } finally {
      c.release();
    }
    return pool;
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw connectFailure(e, target);
  }
}
