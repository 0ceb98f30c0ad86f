/**
 * What went wrong reaching PostgreSQL, as one sentence with a stable code
 * (docs/errors.md, "Store"): SQLSTATE classes from
 * https://www.postgresql.org/docs/15/errcodes-appendix.html, socket errors
 * from Node (https://nodejs.org/api/errors.html#common-system-errors).
 */
import { EarshotError } from '@earshot/shared';
import type { PostgresTarget } from '../store-url.ts';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

function codeOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const c = (e as { code?: unknown }).code;
  if (typeof c === 'string') return c;
  // Node's happy-eyeballs connect (several addresses for one name) fails with an AggregateError.
  const inner = (e as { errors?: unknown }).errors;
  return Array.isArray(inner) && inner.length > 0 ? codeOf(inner[0]) : undefined;
}

/** Maps a failure to connect (or to run the first statement) to an EarshotError; others pass through. */
export function connectFailure(e: unknown, target: PostgresTarget): unknown {
  if (e instanceof EarshotError) return e;
  const code = codeOf(e);
  const where = `${target.host}:${target.port}`;
  const message = e instanceof Error ? e.message : String(e);
  // 28P01 invalid_password, 28000 invalid_authorization_specification (pg_hba.conf refused the user).
  if (code === '28P01' || code === '28000') return new EarshotError('EARSHOT_E_STORE_AUTH_FAILED', `${target.display} (${message}); check the user name and password in the URL`);
  // 3D000 invalid_catalog_name
  if (code === '3D000') return new EarshotError('EARSHOT_E_STORE_DATABASE_MISSING', `database "${target.database}" does not exist at ${where}; create it first (createdb ${target.database})`);
  if ((code !== undefined && UNREACHABLE.has(code)) || /timeout|terminated unexpectedly/i.test(message)) {
    return new EarshotError('EARSHOT_E_STORE_UNREACHABLE', `nothing answered as PostgreSQL at ${where} (${code ?? message}); check the host, the port and that the server is running`);
  }
  // 57P03 cannot_connect_now (starting up or shutting down), 53300 too_many_connections
  if (code === '57P03' || code === '53300') return new EarshotError('EARSHOT_E_STORE_UNREACHABLE', `PostgreSQL at ${where} refuses connections now (${message})`);
  return e;
}
