/**
 * Offline check of a court bundle's `evidence/` files (DESIGN §6), for
 * `earshot verify BUNDLE.zip`: the tree head's signature under the bundled
 * public key, that the head's logId is that key's, and every leaf's RFC 6962
 * audit path to the signed root (verified as RFC 9162 §2.1.3.2). Each failure is
 * reported as data, naming the leaf or file; nothing here needs the server.
 */
import type { z } from 'zod';
import { type ErrorCode, describeIssues } from '@earshot/shared';
import { fromBase64 } from './base64.ts';
import { type BundleEvidence, BundleLeafLine, BundleProofs, EVIDENCE_FILES } from './bundle-evidence.ts';
import { leafHash, verifyInclusion } from './merkle.ts';
import { type TreeHead, publicKeyFromPem, verifyTreeHead } from './tree-head.ts';

export interface BundleFailure {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly leafIndex?: number;
  /** The bundle file at fault, when one is. */
  readonly file?: string;
}

export interface BundleProofReport {
  readonly ok: boolean;
  /** The signed tree head, when its signature holds. */
  readonly treeHead: TreeHead | null;
  /** Leaves whose inclusion was proved. */
  readonly provedLeaves: number;
  readonly failures: readonly BundleFailure[];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; failure: BundleFailure };

function malformed(file: string, detail: string, leafIndex?: number): BundleFailure {
  return leafIndex === undefined ? { code: 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', detail: `${file}: ${detail}`, file } : { code: 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', detail: `${file}: ${detail}`, file, leafIndex };
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function parseJson<S extends z.ZodType>(file: string, text: string, schema: S): Parsed<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, failure: malformed(file, 'not JSON') };
  }
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, failure: malformed(file, describeIssues(r.error)) };
}

function parseLeaves(bytes: Uint8Array, failures: BundleFailure[]): { leafIndex: number; leaf: Buffer }[] | null {
  const text = utf8(bytes);
  if (text === null) {
    failures.push(malformed(EVIDENCE_FILES.leaves, 'not UTF-8'));
    return null;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: { leafIndex: number; leaf: Buffer }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const r = parseJson(`${EVIDENCE_FILES.leaves} line ${i + 1}`, lines[i]!, BundleLeafLine);
    if (!r.ok) {
      failures.push({ ...r.failure, file: EVIDENCE_FILES.leaves });
      return null;
    }
    out.push({ leafIndex: r.value.leafIndex, leaf: fromBase64(r.value.leaf)! });
  }
  return out;
}

export function verifyBundleProofs(files: BundleEvidence): BundleProofReport {
  const failures: BundleFailure[] = [];
  const report = (treeHead: TreeHead | null, provedLeaves: number): BundleProofReport => ({ ok: failures.length === 0, treeHead, provedLeaves, failures });

  // The key and the tree head: without them no proof can be checked.
  const key = publicKeyFromPem(files.publicKey);
  if (!key.ok) {
    failures.push({ ...key.error, file: EVIDENCE_FILES.publicKey });
    return report(null, 0);
  }
  const sigText = (utf8(files.sig) ?? '').replace(/\r?\n$/, '');
  const signature = fromBase64(sigText);
  if (signature === null) {
    failures.push(malformed(EVIDENCE_FILES.sig, 'not base64'));
    return report(null, 0);
  }
  const sth = verifyTreeHead(files.sth, signature, key.key);
  if (!sth.ok) {
    failures.push({ ...sth.error, file: EVIDENCE_FILES.sth });
    return report(null, 0);
  }
  const head = sth.head;
  const root = Buffer.from(head.rootHash, 'hex');

  const leaves = parseLeaves(files.leaves, failures);
  const proofsText = utf8(files.proofs);
  const proofs = proofsText === null ? ({ ok: false, failure: malformed(EVIDENCE_FILES.proofs, 'not UTF-8') } as const) : parseJson(EVIDENCE_FILES.proofs, proofsText, BundleProofs);
  if (!proofs.ok) failures.push(proofs.failure);
  if (leaves === null || !proofs.ok) return report(head, 0);
  if (proofs.value.length !== leaves.length) {
    failures.push(malformed(EVIDENCE_FILES.proofs, `${proofs.value.length} proofs for ${leaves.length} leaves`));
  }

  let proved = 0;
  for (let i = 0; i < leaves.length; i++) {
    const { leafIndex, leaf } = leaves[i]!;
    const proof = proofs.value[i];
    if (proof === undefined) {
      failures.push(malformed(EVIDENCE_FILES.proofs, `no proof for leaf ${leafIndex}`, leafIndex));
      continue;
    }
    if (proof.leafIndex !== leafIndex) {
      failures.push(malformed(EVIDENCE_FILES.proofs, `entry ${i} is for leaf ${proof.leafIndex}, leaves.jsonl line ${i + 1} is leaf ${leafIndex}`, leafIndex));
      continue;
    }
    const path = proof.auditPath.map((h) => Buffer.from(h, 'hex'));
    if (verifyInclusion(leafIndex, head.treeSize, leafHash(leaf), path, root)) {
      proved++;
    } else {
      const why = leafIndex >= head.treeSize ? `leaf ${leafIndex} is beyond the signed tree of ${head.treeSize}` : `leaf ${leafIndex} is not proved in the signed tree of ${head.treeSize}`;
      failures.push({ code: 'EARSHOT_E_INCLUSION_PROOF_INVALID', detail: why, leafIndex });
    }
  }
  return report(head, proved);
}
