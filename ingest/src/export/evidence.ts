/**
 * The evidence/ part of a bundle: the chosen leaves' exact bytes with their RFC
 * 6962 §2.1.1 audit paths against one signed tree head, and the server's public
 * key (DESIGN §5–6). The leaves and proofs come from the store's evidence log:
 * the embedded one (logEvidence), or the log port of PostgreSQL (portEvidence),
 * which gives the same bytes and proofs (storage/evidence-log-port.ts).
 */
import { EarshotError } from '@earshot/shared';
import type { EvidenceLog, IssuedTreeHead } from '../evidence/index.ts';
import type { BundleModel } from '../bundle/model.ts';
import type { EvidenceLogPort } from '../storage/evidence-log-port.ts';

/** The evidence part for the leaves a bundle cites. */
export type EvidenceOf = (leafIndexes: readonly number[]) => Promise<BundleModel['evidence']>;

// Every leaf read from the snapshot is older than the head (signed after the snapshot began); this only guards it.
const inTree = (head: IssuedTreeHead, leafIndexes: readonly number[]): number[] => leafIndexes.filter((i) => i < head.head.treeSize);

export function logEvidence(log: EvidenceLog, head: IssuedTreeHead): EvidenceOf {
  const size = head.head.treeSize;
  return async (leafIndexes) => ({
    leaves: inTree(head, leafIndexes).map((leafIndex) => ({ leafIndex, leaf: log.leaf(leafIndex)!.leaf, auditPath: log.inclusionProof(leafIndex, size) })),
    sth: { bytes: head.bytes, signature: head.signature },
    publicKeyPem: log.serverKey.publicKeyPem,
  });
}

export function portEvidence(log: EvidenceLogPort, head: IssuedTreeHead, publicKeyPem: string): EvidenceOf {
  const size = head.head.treeSize;
  return async (leafIndexes) => {
    const leaves: BundleModel['evidence']['leaves'][number][] = [];
    for (const leafIndex of inTree(head, leafIndexes)) {
      const stored = await log.leaf(leafIndex);
      if (stored === null) throw new EarshotError('EARSHOT_E_LEAF_MISSING', `leaf ${leafIndex}, below the signed tree head of ${size} leaves`);
      leaves.push({ leafIndex, leaf: stored.leaf, auditPath: await log.inclusionProof(leafIndex, size) });
    }
    return { leaves, sth: { bytes: head.bytes, signature: head.signature }, publicKeyPem };
  };
}
