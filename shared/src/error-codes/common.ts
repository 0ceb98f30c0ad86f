/** Codes any command or service can raise. */
import type { ErrorSpec } from '../error-spec.ts';

export const commonErrors = {
  EARSHOT_E_USAGE: { message: 'bad usage: %s', http: 400, exit: 2 },
  EARSHOT_E_FILE_UNREADABLE: { message: 'cannot read file: %s', http: 400, exit: 2 },
  EARSHOT_E_CONFIG_INVALID: { message: 'invalid configuration: %s', http: 400, exit: 2 },
  EARSHOT_E_INTERNAL: { message: 'internal error: %s', http: 500, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
