import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompactRange } from '../../src/evidence/compact-range.ts';
import { MemoryTree } from '../../src/evidence/memory-tree.ts';
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/evidence/merkle.ts';
import { CT_CONSISTENCY, CT_INCLUSION, CT_LEAVES, CT_NODES, CT_ROOTS } from './ct-vectors.ts';

const hex = (b: Buffer): string => b.toString('hex');
const unhex = (h: string): Buffer => Buffer.from(h, 'hex');

/** MTH written straight from RFC 6962 §2.1, independent of the code under test (beyond the two hashes). */
function referenceMth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return createHash('sha256').update(Buffer.concat([Buffer.from([0]), leaves[0]!])).digest();
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from([1]), referenceMth(leaves.slice(0, k)), referenceMth(leaves.slice(k))]))
    .digest();
}

/** Leaves i = 0..n-1 of a synthetic tree: distinct, of varying length. */
function syntheticLeaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i} `.repeat((i % 3) + 1)));
}

describe('RFC 6962 hashes', () => {
  it('prefix leaves with 0x00 and nodes with 0x01 (RFC 6962 §2.1)', () => {
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(CT_ROOTS[1]);
    expect(hex(nodeHash(unhex(CT_NODES[0]![0]!), unhex(CT_NODES[0]![1]!)))).toBe(CT_NODES[1]![0]);
    expect(hex(EMPTY_ROOT)).toBe(CT_ROOTS[0]);
  });
});

describe('Certificate Transparency reference tree', () => {
  const tree = MemoryTree.fromLeaves(CT_LEAVES);

  it.each(CT_ROOTS.map((root, size) => ({ size, root })))('MTH of the first $size leaves is $root', ({ size, root }) => {
    expect(hex(rootAt(tree, size))).toBe(root);
    expect(hex(rootAt(MemoryTree.fromLeaves(CT_LEAVES.slice(0, size)), size))).toBe(root);
  });

  it('holds every published complete subtree hash', () => {
    CT_NODES.forEach((row, level) => row.forEach((h, index) => expect(hex(tree.node(level, index))).toBe(h)));
  });

  it('streams the same roots through a compact range', () => {
    const range = new CompactRange();
    expect(hex(range.root())).toBe(CT_ROOTS[0]);
    const completed: string[] = [];
    CT_LEAVES.forEach((leaf, i) => {
      range.push(leafHash(leaf), (level, index, h) => {
        expect(hex(h)).toBe(CT_NODES[level]![index]);
        completed.push(`${level}:${index}`);
      });
      expect(hex(range.root())).toBe(CT_ROOTS[i + 1]);
    });
    expect(completed).toEqual(['1:0', '1:1', '2:0', '1:2', '1:3', '2:1', '3:0']);
  });

  it.each(CT_INCLUSION)('audit path of leaf $leafIndex in a tree of $treeSize', ({ leafIndex, treeSize, path }) => {
    expect(inclusionProof(tree, leafIndex, treeSize).map(hex)).toEqual(path);
    const root = unhex(CT_ROOTS[treeSize]!);
    const lh = leafHash(CT_LEAVES[leafIndex]!);
    expect(verifyInclusion(leafIndex, treeSize, lh, path.map(unhex), root)).toBe(true);
  });

  it.each(CT_CONSISTENCY)('consistency proof from $first to $second', ({ first, second, proof }) => {
    expect(consistencyProof(tree, first, second).map(hex)).toEqual(proof);
    expect(verifyConsistency(first, second, proof.map(unhex), unhex(CT_ROOTS[first]!), unhex(CT_ROOTS[second]!))).toBe(true);
  });

  // The corruptions transparency-dev/merkle proof/verify_test.go probes (corruptInclusionProof).
  it.each(CT_INCLUSION.filter((c) => c.path.length > 0))('rejects corrupted audit paths of leaf $leafIndex in $treeSize', ({ leafIndex, treeSize, path }) => {
    const root = unhex(CT_ROOTS[treeSize]!);
    const lh = leafHash(CT_LEAVES[leafIndex]!);
    const p = path.map(unhex);
    const some = unhex('abacaba000000000000000000000000000000000000000000060061e00123456');
    const probes: [number, number, Buffer, Buffer[], Buffer][] = [
      [leafIndex - 1, treeSize, lh, p, root],
      [leafIndex + 1, treeSize, lh, p, root],
      [leafIndex ^ 2, treeSize, lh, p, root],
      [leafIndex, treeSize * 2, lh, p, root],
      [leafIndex, Math.floor(treeSize / 2), lh, p, root],
      [leafIndex, treeSize, leafHash(Buffer.from('WrongLeaf')), p, root],
      [leafIndex, treeSize, lh, p, EMPTY_ROOT],
      [leafIndex, treeSize, lh, p, some],
      [leafIndex, treeSize, lh, [...p, Buffer.alloc(0)], root],
      [leafIndex, treeSize, lh, [...p, root], root],
      [leafIndex, treeSize, lh, [root, ...p], root],
      [leafIndex, treeSize, lh, p.slice(0, -1), root],
      ...p.map((_, i): [number, number, Buffer, Buffer[], Buffer] => [leafIndex, treeSize, lh, p.map((h, j) => (j === i ? flip(h, 0, 8) : h)), root]),
    ];
    if (p.length > 1) probes.push([leafIndex, treeSize, lh, [p[0]!, some, ...p.slice(1)], root]);
    for (const [i, n, l, proof, r] of probes) expect(verifyInclusion(i, n, l, proof, r)).toBe(false);
  });

  it.each(CT_CONSISTENCY.filter((c) => c.proof.length > 0))('rejects corrupted consistency proofs from $first to $second', ({ first, second, proof }) => {
    const r1 = unhex(CT_ROOTS[first]!);
    const r2 = unhex(CT_ROOTS[second]!);
    const p = proof.map(unhex);
    const probes: [number, number, Buffer[], Buffer, Buffer][] = [
      [first - 1, second, p, r1, r2],
      [first + 1, second, p, r1, r2],
      [first ^ 2, second, p, r1, r2],
      [first, second * 2, p, r1, r2],
      [first, Math.floor(second / 2), p, r1, r2],
      [first, second, p, r2, r1],
      [first, second, [], r1, r2],
      [first, second, [...p, r1], r1, r2],
      [first, second, [...p, r2], r1, r2],
      [first, second, [r1, ...p], r1, r2],
      [first, second, [p[0]!, ...p], r1, r2],
      [first, second, p.slice(0, -1), r1, r2],
      ...p.map((_, i): [number, number, Buffer[], Buffer, Buffer] => [first, second, p.map((h, j) => (j === i ? flip(h, 0, 16) : h)), r1, r2]),
    ];
    for (const [a, b, pr, x, y] of probes) expect(verifyConsistency(a, b, pr, x, y)).toBe(false);
  });
});

function flip(b: Buffer, at: number, mask: number): Buffer {
  const c = Buffer.from(b);
  c[at]! ^= mask;
  return c;
}

describe('properties over trees of 1 to 64 leaves', () => {
  const leaves = syntheticLeaves(64);
  const full = MemoryTree.fromLeaves(leaves);

  it('roots from stored subtrees equal the RFC 6962 §2.1 recursion', () => {
    for (let n = 0; n <= 64; n++) expect(hex(rootAt(full, n))).toBe(hex(referenceMth(leaves.slice(0, n))));
  });

  it('every leaf of every tree size verifies, and fails once any byte of its path, leaf or root changes', () => {
    for (let n = 1; n <= 64; n++) {
      const root = rootAt(full, n);
      for (let m = 0; m < n; m++) {
        const path = inclusionProof(full, m, n);
        const lh = leafHash(leaves[m]!);
        expect(verifyInclusion(m, n, lh, path, root)).toBe(true);
        expect(hex(rootFromInclusionProof(m, n, lh, path)!)).toBe(hex(root));
        // A changed byte anywhere: in each path hash, in the leaf hash, in the root, in the leaf itself.
        for (let j = 0; j < path.length; j++) {
          const at = (m + j) % 32;
          expect(verifyInclusion(m, n, lh, path.map((h, i) => (i === j ? flip(h, at, 1) : h)), root)).toBe(false);
        }
        expect(verifyInclusion(m, n, flip(lh, m % 32, 0x80), path, root)).toBe(false);
        expect(verifyInclusion(m, n, lh, path, flip(root, n % 32, 0x40))).toBe(false);
        if (leaves[m]!.length > 0) expect(verifyInclusion(m, n, leafHash(flip(leaves[m]!, 0, 1)), path, root)).toBe(false);
      }
    }
  });

  it('every byte of one audit path is covered', () => {
    const n = 45;
    const m = 27;
    const root = rootAt(full, n);
    const path = inclusionProof(full, m, n);
    const lh = leafHash(leaves[m]!);
    for (let j = 0; j < path.length; j++) {
      for (let at = 0; at < 32; at++) expect(verifyInclusion(m, n, lh, path.map((h, i) => (i === j ? flip(h, at, 0xff) : h)), root)).toBe(false);
    }
  });

  it('every pair of sizes is consistent, and a changed proof byte is caught', () => {
    for (let n = 1; n <= 64; n++) {
      const rn = rootAt(full, n);
      for (let m = 0; m <= n; m++) {
        const rm = rootAt(full, m);
        const proof = consistencyProof(full, m, n);
        expect(verifyConsistency(m, n, proof, rm, rn)).toBe(true);
        for (let j = 0; j < proof.length; j++) {
          expect(verifyConsistency(m, n, proof.map((h, i) => (i === j ? flip(h, (m + n) % 32, 2) : h)), rm, rn)).toBe(false);
        }
        if (m > 0 && m < n) expect(verifyConsistency(m, n, proof, rm, rootAt(full, n === 64 ? 63 : n + 1))).toBe(false);
      }
    }
  });

  it('refuses impossible proofs', () => {
    expect(() => inclusionProof(full, 5, 5)).toThrow(RangeError);
    expect(() => inclusionProof(full, -1, 5)).toThrow(RangeError);
    expect(() => consistencyProof(full, 6, 5)).toThrow(RangeError);
    expect(verifyInclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)).toBe(false);
    expect(rootFromInclusionProof(3, 2, leafHash(leaves[0]!), [])).toBeNull();
    expect(verifyConsistency(3, 2, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(false);
    // transparency-dev/merkle TestVerifyConsistency: equal sizes need equal roots and no proof
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(1, 1, [], EMPTY_ROOT, rootAt(full, 1))).toBe(false);
    expect(verifyConsistency(0, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT)).toBe(false);
  });
});
