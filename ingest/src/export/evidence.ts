/**
 * The evidence/ part of a bundle: the chosen leaves' exact bytes with their RFC
 * 6962 §2.1.1 audit paths against one signed tree head, and the server's public
 * key (DESIGN §5–6).
 */
import type { EvidenceLog, IssuedTreeHead } from '../evidence/index.ts';
import type { BundleModel } from '../bundle/model.ts';

export function bundleEvidence(log: EvidenceLog, head: IssuedTreeHead, leafIndexes: readonly number[]): BundleModel['evidence'] {
  const size = head.head.treeSize;
  const leaves = leafIndexes
    // Every leaf read from the snapshot is older than the head (signed after the snapshot began); this only guards it.
    .filter((i) => i < size)
    .map((leafIndex) => ({ leafIndex, leaf: log.leaf(leafIndex)!.leaf, auditPath: log.inclusionProof(leafIndex, size) }));
  return { leaves, sth: { bytes: head.bytes, signature: head.signature }, publicKeyPem: log.serverKey.publicKeyPem };
}
