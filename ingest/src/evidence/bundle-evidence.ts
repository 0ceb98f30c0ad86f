/**
 * The `evidence/` files of a court bundle (DESIGN §6), written and read here so
 * the exporter and `earshot verify` agree byte for byte:
 *   leaves.jsonl   {"leafIndex":n,"leaf":"<base64 of the exact leaf bytes>"} per line
 *   proofs.json    [{"leafIndex":n,"auditPath":["<hex>",…]}, …] in the same order
 *   sth.json       the signed tree head's exact bytes
 *   sth.sig        base64 of the 64-byte Ed25519 signature over sth.json
 *   server-public-key.pem
 */
import { z } from 'zod';
import { Sha256Hex } from '@earshot/shared';
import { Base64 } from './base64.ts';

export const EVIDENCE_FILES = {
  leaves: 'evidence/leaves.jsonl',
  proofs: 'evidence/proofs.json',
  sth: 'evidence/sth.json',
  sig: 'evidence/sth.sig',
  publicKey: 'evidence/server-public-key.pem',
} as const;

/** The five files' contents, keyed as EVIDENCE_FILES. */
export interface BundleEvidence {
  readonly leaves: Buffer;
  readonly proofs: Buffer;
  readonly sth: Buffer;
  readonly sig: Buffer;
  readonly publicKey: Buffer;
}

const LeafIndex = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const BundleLeafLine = z.strictObject({ leafIndex: LeafIndex, leaf: Base64 });
export const BundleProofs = z.array(z.strictObject({ leafIndex: LeafIndex, auditPath: z.array(Sha256Hex) }));

export interface BundleLeafInput {
  readonly leafIndex: number;
  readonly leaf: Buffer;
  readonly auditPath: readonly Buffer[];
}

/** Writes the evidence files for these leaves (their audit paths against `sth`). */
export function encodeBundleEvidence(leaves: readonly BundleLeafInput[], sth: { bytes: Buffer; signature: Buffer }, publicKeyPem: string): BundleEvidence {
  const lines = leaves.map((l) => `${JSON.stringify({ leafIndex: l.leafIndex, leaf: l.leaf.toString('base64') })}\n`).join('');
  const proofs = leaves.map((l) => ({ leafIndex: l.leafIndex, auditPath: l.auditPath.map((h) => h.toString('hex')) }));
  return {
    leaves: Buffer.from(lines, 'utf8'),
    proofs: Buffer.from(JSON.stringify(proofs), 'utf8'),
    sth: Buffer.from(sth.bytes),
    sig: Buffer.from(`${sth.signature.toString('base64')}\n`, 'latin1'),
    publicKey: Buffer.from(publicKeyPem, 'utf8'),
  };
}
