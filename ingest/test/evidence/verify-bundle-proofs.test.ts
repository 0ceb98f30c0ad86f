import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type BundleEvidence, encodeBundleEvidence } from '../../src/evidence/bundle-evidence.ts';
import { EvidenceLog } from '../../src/evidence/evidence-log.ts';
import { verifyBundleProofs } from '../../src/evidence/verify-bundle-proofs.ts';
import { diaryLeaf, newServerKey, openEvidenceDb, steppingClock } from './helpers.ts';

const PICKED = [3, 17, 40];

function bundle(): { files: BundleEvidence; log: EvidenceLog } {
  const { db } = openEvidenceDb();
  const key = newServerKey();
  const log = new EvidenceLog(db, key, { now: steppingClock() });
  for (let i = 0; i < 50; i++) log.append(diaryLeaf(i, i % 2 === 0 ? 'ASB-1' : 'ASB-2'));
  const head = log.signTreeHead();
  log.append(diaryLeaf(50)); // after the head: not in the bundle's tree
  const leaves = PICKED.map((i) => ({ leafIndex: i, leaf: log.leaf(i)!.leaf, auditPath: log.inclusionProof(i, head.head.treeSize) }));
  return { files: encodeBundleEvidence(leaves, head, key.publicKeyPem), log };
}

function withLine(text: Buffer, line: number, edit: (l: string) => string): Buffer {
  const lines = text.toString().split('\n');
  lines[line] = edit(lines[line]!);
  return Buffer.from(lines.join('\n'));
}

describe('offline check of bundle evidence', () => {
  it('proves every bundled leaf against the signed head', () => {
    const { files } = bundle();
    const r = verifyBundleProofs(files);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.provedLeaves).toBe(3);
    expect(r.treeHead?.treeSize).toBe(50);
    expect(files.leaves.toString().split('\n')[0]).toMatch(/^\{"leafIndex":3,"leaf":"[A-Za-z0-9+/=]+"\}$/);
    expect(JSON.parse(files.proofs.toString())[1]).toMatchObject({ leafIndex: 17 });
  });

  it('names a leaf whose bytes were changed', () => {
    const { files } = bundle();
    const leaves = withLine(files.leaves, 1, (l) => {
      const o = JSON.parse(l) as { leafIndex: number; leaf: string };
      return JSON.stringify({ ...o, leaf: Buffer.from(Buffer.from(o.leaf, 'base64').toString().replace('wall', 'door')).toString('base64') });
    });
    const r = verifyBundleProofs({ ...files, leaves });
    expect(r.ok).toBe(false);
    expect(r.provedLeaves).toBe(2);
    expect(r.failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_INCLUSION_PROOF_INVALID', leafIndex: 17 })]);
  });

  it('names a leaf whose proof or index was changed, or that lies beyond the signed tree', () => {
    const { files, log } = bundle();
    const proofs = JSON.parse(files.proofs.toString()) as { leafIndex: number; auditPath: string[] }[];
    const flipped = structuredClone(proofs);
    flipped[2]!.auditPath[1] = flipped[2]!.auditPath[1]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(verifyBundleProofs({ ...files, proofs: Buffer.from(JSON.stringify(flipped)) }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_INCLUSION_PROOF_INVALID', leafIndex: 40 })]);

    // Claiming leaf 3's bytes are leaf 2 (index in both files changed): the path no longer leads to the root.
    const renumbered = structuredClone(proofs);
    renumbered[0]!.leafIndex = 2;
    const leaves = withLine(files.leaves, 0, (l) => l.replace('"leafIndex":3', '"leafIndex":2'));
    expect(verifyBundleProofs({ ...files, leaves, proofs: Buffer.from(JSON.stringify(renumbered)) }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_INCLUSION_PROOF_INVALID', leafIndex: 2 })]);

    // Leaf 50 was appended after the head.
    const late = encodeBundleEvidence([{ leafIndex: 50, leaf: log.leaf(50)!.leaf, auditPath: log.inclusionProof(50, 51) }], { bytes: files.sth, signature: Buffer.from(files.sig.toString().trim(), 'base64') }, files.publicKey.toString());
    expect(verifyBundleProofs(late).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_INCLUSION_PROOF_INVALID', leafIndex: 50, detail: expect.stringMatching(/beyond the signed tree of 50/) })]);

    // Proofs out of order with the leaves.
    const swapped = [proofs[1], proofs[0], proofs[2]];
    expect(verifyBundleProofs({ ...files, proofs: Buffer.from(JSON.stringify(swapped)) }).failures).toEqual([
      expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', leafIndex: 3 }),
      expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', leafIndex: 17 }),
    ]);
    expect(verifyBundleProofs({ ...files, proofs: Buffer.from(JSON.stringify(proofs.slice(0, 2))) }).failures.map((f) => f.code)).toEqual(['EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED']);
  });

  it('refuses a tree head changed, signed by another key, or a key that is not Ed25519', () => {
    const { files } = bundle();
    const sth = Buffer.from(files.sth.toString().replace('"treeSize":50', '"treeSize":49'));
    expect(verifyBundleProofs({ ...files, sth })).toMatchObject({ ok: false, treeHead: null, failures: [{ code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID', file: 'evidence/sth.json' }] });
    const otherPem = Buffer.from(newServerKey().publicKeyPem);
    expect(verifyBundleProofs({ ...files, publicKey: otherPem }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID' })]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(verifyBundleProofs({ ...files, publicKey: Buffer.from(rsa) }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_PUBLIC_KEY_INVALID' })]);
    expect(verifyBundleProofs({ ...files, publicKey: Buffer.from('garbage') }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_PUBLIC_KEY_INVALID' })]);
    expect(verifyBundleProofs({ ...files, sig: Buffer.from('***') }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', file: 'evidence/sth.sig' })]);
  });

  it('reports malformed evidence files as data', () => {
    const { files } = bundle();
    const badLine = withLine(files.leaves, 2, () => '{"leafIndex":"forty"}');
    expect(verifyBundleProofs({ ...files, leaves: badLine }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', file: 'evidence/leaves.jsonl', detail: expect.stringMatching(/line 3/) })]);
    expect(verifyBundleProofs({ ...files, proofs: Buffer.from('[{') }).failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_EVIDENCE_MALFORMED', file: 'evidence/proofs.json' })]);
    const notHex = Buffer.from(files.proofs.toString().replace(/"auditPath":\["[0-9a-f]/, '"auditPath":["Z'));
    expect(verifyBundleProofs({ ...files, proofs: notHex }).ok).toBe(false);
  });
});
