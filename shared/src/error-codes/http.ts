/** Codes of the officer HTTP API and web view (issue 5): accounts, sessions, requests, clips and export jobs. */
import type { ErrorSpec } from '../error-spec.ts';

export const httpErrors = {
  EARSHOT_E_HTTP_BAD_REQUEST: { message: 'bad request: %s', http: 400, exit: 2 },
  EARSHOT_E_HTTP_UNAUTHENTICATED: { message: 'not logged in or session expired: %s', http: 401, exit: 2 },
  EARSHOT_E_HTTP_LOGIN_FAILED: { message: 'wrong username or password: %s', http: 401, exit: 2 },
  EARSHOT_E_HTTP_LOGIN_LOCKED: { message: 'too many failed logins, try again later: %s', http: 429, exit: 2 },
  EARSHOT_E_HTTP_LOGIN_BUSY: { message: 'too many logins at once, try again in a few seconds: %s', http: 429, exit: 2 },
  EARSHOT_E_HTTP_FORBIDDEN: { message: 'not allowed for this account: %s', http: 403, exit: 2 },
  EARSHOT_E_HTTP_NOT_FOUND: { message: 'not found: %s', http: 404, exit: 2 },
  EARSHOT_E_HTTP_PERIOD_INVALID: { message: 'invalid period: %s', http: 400, exit: 2 },
  EARSHOT_E_HTTP_RANGE_INVALID: { message: 'requested byte range not satisfiable: %s', http: 416, exit: 2 },
  EARSHOT_E_HTTP_CLIP_UNAVAILABLE: { message: 'clip not available: %s', http: 404, exit: 2 },
  EARSHOT_E_HTTP_JOB_NOT_FOUND: { message: 'no such export job: %s', http: 404, exit: 2 },
  EARSHOT_E_HTTP_JOB_NOT_READY: { message: 'export job has not finished: %s', http: 409, exit: 2 },
  EARSHOT_E_USER_INVALID: { message: 'invalid officer account: %s', http: 400, exit: 2 },
  EARSHOT_E_USER_EXISTS: { message: 'officer account already exists: %s', http: 409, exit: 2 },
  EARSHOT_E_USER_NOT_FOUND: { message: 'no such officer account: %s', http: 404, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
