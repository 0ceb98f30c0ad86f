/** Codes of cases, deployments, diary entries, attachment and retention. */
import type { ErrorSpec } from '../error-spec.ts';

export const casesErrors = {
} as const satisfies Record<string, ErrorSpec>;
