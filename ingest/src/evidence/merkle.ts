/**
 * RFC 6962 Merkle tree maths (DESIGN §5), pure and synchronous: hashing, the
 * Merkle Tree Hash, audit paths and consistency proofs, and their verification.
 *
 * Building works over a NodeSource — anything that can hand out the hash of a
 * complete, aligned subtree — so a log of millions of leaves yields its root and
 * proofs from O(log n) stored nodes instead of rehashing every leaf.
 *
 * Sizes and indexes are plain numbers (exact to 2^53); the maths uses arithmetic,
 * not 32-bit bitwise operators, so it stays correct past 2^31 leaves.
 */
import { createHash } from 'node:crypto';

/** SHA-256 output length (RFC 6962 §2.1 uses SHA-256). */
export const HASH_BYTES = 32;

// RFC 6962 §2.1: leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right).
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** RFC 6962 §2.1: MTH({}) = SHA-256() — the hash of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** RFC 6962 §2.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** RFC 6962 §2.1: SHA-256(0x01 || MTH(left) || MTH(right)). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * The hash of a complete subtree: 2^level leaves starting at leaf index·2^level
 * (level 0 is a leaf hash).
 */
export interface NodeSource {
  node(level: number, index: number): Buffer;
}

/** RFC 6962 §2.1: "k is the largest power of two smaller than n" (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1 || !Number.isInteger(n)) return false;
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/** The largest power of two ≤ n, as [value, log2(value)] (n ≥ 1). */
function largestPowerAtMost(n: number): [number, number] {
  let p = 1;
  let level = 0;
  while (p * 2 <= n) {
    p *= 2;
    level++;
  }
  return [p, level];
}

/**
 * Folds complete subtree hashes, left to right and strictly decreasing in size,
 * into the Merkle Tree Hash of the range they cover: by RFC 6962 §2.1 the range
 * splits at its largest complete subtree, so MTH = h(c1, h(c2, … h(cn-1, cn))).
 */
export function foldSubtrees(pieces: readonly Buffer[]): Buffer {
  if (pieces.length === 0) return EMPTY_ROOT;
  let h = pieces[pieces.length - 1]!;
  for (let i = pieces.length - 2; i >= 0; i--) h = nodeHash(pieces[i]!, h);
  return h;
}

/**
 * MTH(D[start : start+size]) (RFC 6962 §2.1) from complete subtrees. Every range
 * the RFC's recursion visits starts at a multiple of a power of two ≥ its size,
 * so it decomposes into aligned complete subtrees, largest first.
 */
export function rangeHash(src: NodeSource, start: number, size: number): Buffer {
  if (size === 0) return EMPTY_ROOT;
  const pieces: Buffer[] = [];
  let at = start;
  let left = size;
  while (left > 0) {
    const [p, level] = largestPowerAtMost(left);
    if (at % p !== 0) throw new RangeError(`range [${start}, ${start + size}) is not an RFC 6962 subtree`);
    pieces.push(src.node(level, at / p));
    at += p;
    left -= p;
  }
  return foldSubtrees(pieces);
}

/** MTH(D[n]) (RFC 6962 §2.1): the root of the first n leaves. */
export function rootAt(src: NodeSource, n: number): Buffer {
  return rangeHash(src, 0, n);
}

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
}

/**
 * PATH(m, D[n]) (RFC 6962 §2.1.1): the audit path of leaf m in the tree of the
 * first n leaves, ordered from the leaf's sibling up to the root's child.
 */
export function inclusionProof(src: NodeSource, m: number, n: number): Buffer[] {
  checkSize('leaf index', m);
  checkSize('tree size', n);
  if (m >= n) throw new RangeError(`leaf ${m} is not in a tree of ${n} leaves`);
  // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])  for m < k
  //               = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m ≥ k
  // Walked from the root down, so the hashes come out root-first and are reversed.
  const topDown: Buffer[] = [];
  let start = 0;
  let size = n;
  let index = m;
  while (size > 1) {
    const k = splitPoint(size);
    if (index < k) {
      topDown.push(rangeHash(src, start + k, size - k));
      size = k;
    } else {
      topDown.push(rangeHash(src, start, k));
      start += k;
      index -= k;
      size -= k;
    }
  }
  return topDown.reverse();
}

/**
 * PROOF(m, D[n]) (RFC 6962 §2.1.2): the consistency proof that the tree of the
 * first m leaves is a prefix of the tree of the first n. Empty when m is 0 or n.
 */
export function consistencyProof(src: NodeSource, m: number, n: number): Buffer[] {
  checkSize('first size', m);
  checkSize('second size', n);
  if (m > n) throw new RangeError(`a tree of ${m} leaves cannot be a prefix of one of ${n}`);
  if (m === 0 || m === n) return [];
  // SUBPROOF(m, D[m], true) = {};  SUBPROOF(m, D[m], false) = {MTH(D[m])}
  // m ≤ k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]);  m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
  const topDown: Buffer[] = [];
  let start = 0;
  let size = n;
  let mm = m;
  let wholeOldTree = true;
  while (mm !== size) {
    const k = splitPoint(size);
    if (mm <= k) {
      topDown.push(rangeHash(src, start + k, size - k));
      size = k;
    } else {
      topDown.push(rangeHash(src, start, k));
      start += k;
      mm -= k;
      size -= k;
      wholeOldTree = false;
    }
  }
  if (!wholeOldTree) topDown.push(rangeHash(src, start, size));
  return topDown.reverse();
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isHash(b: Uint8Array): boolean {
  return b.length === HASH_BYTES;
}

/**
 * The root an audit path leads to, or null when the path cannot belong to leaf
 * `leafIndex` of a tree of `treeSize` (RFC 9162 §2.1.3.2, which computes the same
 * as RFC 6962 §2.1.1 from the verifier's side).
 */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leafHashValue: Uint8Array, proof: readonly Uint8Array[]): Buffer | null {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0) return null;
  // RFC 9162 §2.1.3.2 step 1
  if (leafIndex >= treeSize) return null;
  if (!isHash(leafHashValue) || !proof.every(isHash)) return null;
  // steps 2, 3
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leafHashValue);
  // step 4
  for (const p of proof) {
    if (sn === 0) return null; // 4a
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r); // 4b.i
      // 4b.ii: if LSB(fn) is not set, shift both until it is or fn is 0
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p); // 4b otherwise
    }
    fn = half(fn); // 4c
    sn = half(sn);
  }
  // step 5: the path must have been exactly long enough
  return sn === 0 ? r : null;
}

/** RFC 9162 §2.1.3.2: does the audit path prove leaf `leafIndex` is in the tree with this root? */
export function verifyInclusion(leafIndex: number, treeSize: number, leafHashValue: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromInclusionProof(leafIndex, treeSize, leafHashValue, proof);
  return r !== null && isHash(root) && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2: does the proof show the tree of size1 leaves (root1) is a
 * prefix of the tree of size2 leaves (root2)? Equal sizes need equal roots and an
 * empty proof; size1 0 is consistent with anything, with an empty proof.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (size1 === 0) return proof.length === 0;
  // step 1
  if (proof.length === 0) return false;
  // step 2: a power-of-two first tree is a complete subtree, its root the path's start
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // step 3
  let fn = size1 - 1;
  let sn = size2 - 1;
  // step 4
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  // step 5
  let fr: Buffer = Buffer.from(path[0]!);
  let sr = fr;
  // step 6
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false; // 6a
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr); // 6b.i
      sr = nodeHash(c, sr);
      // 6b.ii: if LSB(fn) is not set, shift both until it is or fn is 0
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c); // 6b otherwise
    }
    fn = half(fn); // 6c
    sn = half(sn);
  }
  // step 7
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
