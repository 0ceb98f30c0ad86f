/**
 * Which store a command works on (DESIGN §8): `EARSHOT_STORE_URL` unset (or
 * empty) = the embedded SQLite file in the data folder; `postgres://USER:PASS@
 * HOST:PORT/DB` (or `postgresql://`, as libpq accepts:
 * https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNSTRING) =
 * PostgreSQL. Anything else is refused with one sentence naming what is wrong,
 * never echoing the password.
 */
import { EarshotError } from '@earshot/shared';

export const STORE_URL_ENV = 'EARSHOT_STORE_URL';

export interface PostgresTarget {
  readonly kind: 'postgres';
  /** The URL as given, for the driver. */
  readonly url: string;
  /** The URL with any password replaced by ***, for messages and logs. */
  readonly display: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

export type StoreTarget = { readonly kind: 'sqlite' } | PostgresTarget;

/** The URL without its password, for messages (also for a URL that does not parse). */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

// https://www.postgresql.org/docs/15/runtime-config-connection.html: the default port.
const DEFAULT_PORT = 5432;

export function parseStoreUrl(raw: string | undefined, name = STORE_URL_ENV): StoreTarget {
  if (raw === undefined || raw.trim() === '') return { kind: 'sqlite' };
  const shown = redactUrl(raw.trim());
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new EarshotError('EARSHOT_E_STORE_URL_INVALID', `${name}=${shown} does not parse as a URL; give postgres://USER:PASS@HOST:PORT/DB, or leave it unset for the embedded SQLite store`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new EarshotError('EARSHOT_E_STORE_URL_INVALID', `${name}=${shown} has the scheme "${u.protocol.replace(/:$/, '')}"; only postgres:// is supported (unset it for the embedded SQLite store)`);
  }
  if (u.hostname === '') throw new EarshotError('EARSHOT_E_STORE_URL_INVALID', `${name}=${shown} names no host`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) throw new EarshotError('EARSHOT_E_STORE_URL_INVALID', `${name}=${shown} names no database (postgres://USER:PASS@HOST:PORT/DB)`);
  // URL already refuses a port above 65535 or not a number; 0 is not a port a server listens on.
  const port = u.port === '' ? DEFAULT_PORT : Number(u.port);
  if (port === 0) throw new EarshotError('EARSHOT_E_STORE_URL_INVALID', `${name}=${shown} has port 0`);
  return { kind: 'postgres', url: raw.trim(), display: shown, host: u.hostname, port, database };
}

export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): StoreTarget {
  return parseStoreUrl(env[STORE_URL_ENV]);
}

/** DESIGN §8: EARSHOT_STORE_URL when set, else the config file's `"store": {"url": …}`, else the embedded SQLite store. */
export function storeFromSettings(fileUrl: string | undefined, file: string | undefined, env: NodeJS.ProcessEnv = process.env): StoreTarget {
  if ((env[STORE_URL_ENV] ?? '').trim() !== '') return storeFromEnv(env);
  return parseStoreUrl(fileUrl, `"store.url" in ${file ?? 'the settings'}`);
}
