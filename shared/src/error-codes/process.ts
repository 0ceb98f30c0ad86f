/** Codes of the one-process-per-folder lock (process-lock/): `earshot serve`, `earshot-device run`, `npm start`. */
import type { ErrorSpec } from '../error-spec.ts';

export const processErrors = {
  EARSHOT_E_ALREADY_RUNNING: { message: 'already running: %s', http: 409, exit: 2 },
  EARSHOT_E_LOCK_FAILED: { message: 'cannot take the folder lock: %s', http: 500, exit: 2 },
  EARSHOT_E_PORT_IN_USE: { message: 'the port is already in use: %s', http: 500, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
