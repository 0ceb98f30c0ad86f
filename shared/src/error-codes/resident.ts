/** Codes of the resident's diary link (issue 13, DESIGN §6b): the link, the entries sent through it and their phone recordings. */
import type { ErrorSpec } from '../error-spec.ts';

export const residentErrors = {
  EARSHOT_E_RESIDENT_LINK_UNKNOWN: { message: 'this diary link is not recognised: %s', http: 404, exit: 2 },
  EARSHOT_E_RESIDENT_LINK_REVOKED: { message: 'this diary link has been replaced or withdrawn: %s', http: 410, exit: 2 },
  EARSHOT_E_RESIDENT_LINK_EXPIRED: { message: 'this diary link has expired: %s', http: 410, exit: 2 },
  EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY: { message: "the diary link works only on this machine, not on a resident's phone: %s", http: 400, exit: 2 },
  EARSHOT_E_RESIDENT_LINK_UNAVAILABLE: { message: 'no diary link can be issued: %s', http: 409, exit: 2 },
  EARSHOT_E_RESIDENT_RATE_LIMITED: { message: 'too many requests, wait a little and try again: %s', http: 429, exit: 2 },
  EARSHOT_E_RESIDENT_ENTRY_INVALID: { message: 'the diary entry was not accepted: %s', http: 400, exit: 2 },
  EARSHOT_E_RESIDENT_RECORDING_TOO_LARGE: { message: 'the recording is too long or too large: %s', http: 413, exit: 2 },
  EARSHOT_E_RESIDENT_RECORDING_TYPE: { message: 'the recording is not a supported audio file: %s', http: 415, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
