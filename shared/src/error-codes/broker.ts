/** Codes of the embedded broker: device identity, authorisation, limits. */
import type { ErrorSpec } from '../error-spec.ts';

export const brokerErrors = {
} as const satisfies Record<string, ErrorSpec>;
