/** Codes of the evidence log (RFC 6962 Merkle tree, signed tree heads, inclusion proofs). */
import type { ErrorSpec } from '../error-spec.ts';

export const evidenceErrors = {
  EARSHOT_E_LEAF_INVALID: { message: 'evidence leaf does not match its schema: %s', http: 400, exit: 2 },
  EARSHOT_E_PROOF_RANGE: { message: 'no such proof in the evidence log: %s', http: 404, exit: 2 },
  EARSHOT_E_SERVER_KEY_INVALID: { message: 'server key unusable: %s', http: 500, exit: 2 },
  EARSHOT_E_PUBLIC_KEY_INVALID: { message: 'not an Ed25519 public key: %s', http: 400, exit: 1 },
  EARSHOT_E_TREE_HEAD_MALFORMED: { message: 'signed tree head malformed: %s', http: 400, exit: 1 },
  EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID: { message: 'tree head signature does not verify: %s', http: 400, exit: 1 },
  EARSHOT_E_TREE_HEAD_LOG_ID_MISMATCH: { message: 'tree head names another log: %s', http: 400, exit: 1 },
  EARSHOT_E_TREE_HEAD_ROOT_MISMATCH: { message: 'tree head root does not match the stored leaves: %s', http: 500, exit: 1 },
  EARSHOT_E_TREE_HEAD_BEYOND_LOG: { message: 'tree head counts more leaves than the log holds: %s', http: 500, exit: 1 },
  EARSHOT_E_LEAF_MISSING: { message: 'evidence log leaf missing: %s', http: 500, exit: 1 },
  EARSHOT_E_LEAF_HASH_MISMATCH: { message: 'stored evidence leaf does not match its hash: %s', http: 500, exit: 1 },
  EARSHOT_E_NODE_MISMATCH: { message: 'stored tree node does not match the leaves below it: %s', http: 500, exit: 1 },
  EARSHOT_E_INCLUSION_PROOF_INVALID: { message: 'inclusion proof does not verify: %s', http: 400, exit: 1 },
  EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED: { message: 'bundle evidence file malformed: %s', http: 400, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
