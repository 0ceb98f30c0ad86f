/** Codes of the store (DESIGN §8): choosing, reaching and copying the database. */
import type { ErrorSpec } from '../error-spec.ts';

export const storeErrors = {
  EARSHOT_E_STORE_URL_INVALID: { message: 'EARSHOT_STORE_URL is not a store address: %s', http: 500, exit: 2 },
  EARSHOT_E_STORE_UNREACHABLE: { message: 'cannot reach the database: %s', http: 503, exit: 2 },
  EARSHOT_E_STORE_AUTH_FAILED: { message: 'the database refused the credentials: %s', http: 503, exit: 2 },
  EARSHOT_E_STORE_DATABASE_MISSING: { message: 'no such database on the server: %s', http: 503, exit: 2 },
  EARSHOT_E_STORE_VERSION_UNSUPPORTED: { message: 'unsupported database server: %s', http: 503, exit: 2 },
  EARSHOT_E_STORE_SCHEMA_NEWER: { message: 'the database was set up by a newer Earshot: %s', http: 503, exit: 2 },
  EARSHOT_E_STORE_NOT_SUPPORTED: { message: 'not yet available on this store: %s', http: 501, exit: 2 },
  EARSHOT_E_STORE_TARGET_NOT_EMPTY: { message: 'the target database already holds data: %s', http: 409, exit: 2 },
  EARSHOT_E_STORE_BUSY: { message: 'the database stayed locked by another Earshot process: %s', http: 503, exit: 2 },
  EARSHOT_E_STORE_COPY_MISMATCH: { message: 'the copy does not match its source: %s', http: 500, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
