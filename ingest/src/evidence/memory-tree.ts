/**
 * An in-memory RFC 6962 tree that keeps every complete subtree hash, level by
 * level: the NodeSource for small trees (tests, bundles) where a database is not
 * wanted. The SQLite log store keeps the same nodes on disk.
 */
import { type NodeSource, leafHash, nodeHash } from './merkle.ts';

export class MemoryTree implements NodeSource {
  /** levels[l][i]: hash of the complete subtree of 2^l leaves starting at leaf i·2^l. */
  readonly #levels: Buffer[][] = [[]];

  static fromLeaves(leaves: readonly Uint8Array[]): MemoryTree {
    const t = new MemoryTree();
    for (const l of leaves) t.appendLeafHash(leafHash(l));
    return t;
  }

  get size(): number {
    return this.#levels[0]!.length;
  }

  appendLeafHash(h: Buffer): void {
    let level = 0;
    let hash = h;
    for (;;) {
      const row = (this.#levels[level] ??= []);
      row.push(hash);
      const index = row.length - 1;
      if (index % 2 === 0) return;
      hash = nodeHash(row[index - 1]!, hash);
      level++;
    }
  }

  node(level: number, index: number): Buffer {
    const h = this.#levels[level]?.[index];
    if (h === undefined) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
    return h;
  }
}
