/** Codes of demonstration data (issue 17): the demo's synthesised night never mixes with evidence. */
import type { ErrorSpec } from '../error-spec.ts';

export const demonstrationErrors = {
  EARSHOT_E_DEMONSTRATION_MIXED: { message: 'demonstration and evidence not mixed: %s', http: 409, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
