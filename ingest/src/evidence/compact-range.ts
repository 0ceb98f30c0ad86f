/**
 * The right edge of a growing RFC 6962 tree: the complete subtrees covering the
 * leaves so far (one per set bit of the size, largest first). Appending a leaf
 * merges equal-sized neighbours; the root at the current size is their fold
 * (RFC 6962 §2.1). O(log n) memory, so a whole log can be re-verified in one
 * streaming pass.
 */
import { foldSubtrees, nodeHash } from './merkle.ts';

/** Called for each complete subtree of level ≥ 1 as it is completed. */
export type OnNode = (level: number, index: number, hash: Buffer) => void;

export class CompactRange {
  #hashes: Buffer[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds the next leaf hash; reports each subtree it completes. */
  push(leafHashValue: Buffer, onNode?: OnNode): void {
    let h = leafHashValue;
    let level = 0;
    let index = this.#size;
    // A node at `level` is completed when its index is odd: merge with the left sibling.
    while (index % 2 === 1) {
      const left = this.#hashes.pop()!;
      h = nodeHash(left, h);
      level++;
      index = (index - 1) / 2;
      onNode?.(level, index, h);
    }
    this.#hashes.push(h);
    this.#size++;
  }

  /** MTH of the leaves pushed so far. */
  root(): Buffer {
    return foldSubtrees(this.#hashes);
  }
}
