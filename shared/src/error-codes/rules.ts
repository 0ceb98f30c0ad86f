/** Codes of the nuisance rules and the device configuration that carries them. */
import type { ErrorSpec } from '../error-spec.ts';

export const rulesErrors = {
  EARSHOT_E_RULE_UNKNOWN: { message: 'unknown nuisance rule type: %s', http: 400, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
