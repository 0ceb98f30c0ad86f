/** Codes of the evidence log (RFC 6962 Merkle tree, signed tree heads, inclusion proofs). */
import type { ErrorSpec } from '../error-spec.ts';

export const evidenceErrors = {
} as const satisfies Record<string, ErrorSpec>;
