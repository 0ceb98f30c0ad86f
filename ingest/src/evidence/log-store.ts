/**
 * The evidence log's leaves and complete subtree hashes in SQLite (tables in
 * migrations.ts). Appending a leaf writes the leaf and every subtree it completes
 * (amortised two rows), so the root at any size and any audit or consistency proof
 * take O(log n) point reads (merkle.ts), never a rehash of the log.
 *
 * Append is synchronous and nests inside a caller's better-sqlite3 transaction
 * (it becomes a savepoint), so a message and its leaf commit or roll back
 * together. Nothing is cached between calls: the size is read from the table, so
 * a rolled-back caller transaction or a second connection cannot leave it stale.
 */
import type { Database as Db, Statement, Transaction } from 'better-sqlite3';
import { EarshotError } from '@earshot/shared';
import { type NodeSource, consistencyProof, inclusionProof, leafHash, nodeHash, rootAt } from './merkle.ts';

export interface StoredLeaf {
  readonly leafIndex: number;
  /** The leaf bytes exactly as appended and hashed. */
  readonly leaf: Buffer;
  readonly leafHash: Buffer;
  readonly appendedAt: string;
}

export interface Appended {
  readonly leafIndex: number;
  readonly leafHash: Buffer;
}

interface LeafRow {
  leaf_index: number;
  leaf: Buffer;
  leaf_hash: Buffer;
  appended_at: string;
}

function toStoredLeaf(r: LeafRow): StoredLeaf {
  return { leafIndex: r.leaf_index, leaf: r.leaf, leafHash: r.leaf_hash, appendedAt: r.appended_at };
}

export class LogStore implements NodeSource {
  readonly #db: Db;
  readonly #last: Statement<[], { leaf_index: number }>;
  readonly #insertLeaf: Statement<[number, Buffer, Buffer, string]>;
  readonly #insertNode: Statement<[number, number, Buffer]>;
  readonly #leafHash: Statement<[number], { leaf_hash: Buffer }>;
  readonly #node: Statement<[number, number], { hash: Buffer }>;
  readonly #leaf: Statement<[number], LeafRow>;
  readonly #page: Statement<[number, number], LeafRow>;
  readonly #append: Transaction<(leaf: Buffer, appendedAt: string) => Appended>;

  constructor(db: Db) {
    this.#db = db;
    this.#last = db.prepare('SELECT leaf_index FROM evidence_leaves ORDER BY leaf_index DESC LIMIT 1');
    this.#insertLeaf = db.prepare('INSERT INTO evidence_leaves (leaf_index, leaf, leaf_hash, appended_at) VALUES (?, ?, ?, ?)');
    this.#insertNode = db.prepare('INSERT INTO evidence_nodes (level, node_index, hash) VALUES (?, ?, ?)');
    this.#leafHash = db.prepare('SELECT leaf_hash FROM evidence_leaves WHERE leaf_index = ?');
    this.#node = db.prepare('SELECT hash FROM evidence_nodes WHERE level = ? AND node_index = ?');
    this.#leaf = db.prepare('SELECT leaf_index, leaf, leaf_hash, appended_at FROM evidence_leaves WHERE leaf_index = ?');
    this.#page = db.prepare('SELECT leaf_index, leaf, leaf_hash, appended_at FROM evidence_leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?');
    this.#append = db.transaction((leaf: Buffer, appendedAt: string): Appended => {
      const index = this.size;
      const hash = leafHash(leaf);
      this.#insertLeaf.run(index, leaf, hash, appendedAt);
      // Each odd index at a level completes its parent (RFC 6962 §2.1: h(left, right)).
      let h = hash;
      let i = index;
      let level = 0;
      while (i % 2 === 1) {
        h = nodeHash(this.node(level, i - 1), h);
        i = (i - 1) / 2;
        level++;
        this.#insertNode.run(level, i, h);
      }
      return { leafIndex: index, leafHash: hash };
    });
  }

  get db(): Db {
    return this.#db;
  }

  /** Number of leaves. */
  get size(): number {
    const r = this.#last.get();
    return r === undefined ? 0 : r.leaf_index + 1;
  }

  /** Appends leaf bytes verbatim; inside the caller's transaction if one is open. */
  append(leaf: Uint8Array, appendedAt: string): Appended {
    const bytes = Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength);
    // IMMEDIATE: take the write lock before reading the size, so two writers cannot pick the same index
    // (https://www.sqlite.org/lang_transaction.html); inside a caller transaction this is a savepoint.
    return this.#append.immediate(bytes, appendedAt);
  }

  node(level: number, index: number): Buffer {
    const r = level === 0 ? this.#leafHash.get(index)?.leaf_hash : this.#node.get(level, index)?.hash;
    if (r === undefined) throw new EarshotError('EARSHOT_E_PROOF_RANGE', `no complete subtree at level ${level}, index ${index}`);
    return r;
  }

  leaf(index: number): StoredLeaf | null {
    const r = this.#leaf.get(index);
    return r === undefined ? null : toStoredLeaf(r);
  }

  /** Leaves from `from` in index order, `pageSize` rows per query (no statement stays open between pages). */
  *leaves(from = 0, pageSize = 2000): Generator<StoredLeaf> {
    let next = from;
    for (;;) {
      const rows = this.#page.all(next, pageSize);
      for (const r of rows) yield toStoredLeaf(r);
      if (rows.length < pageSize) return;
      next = rows[rows.length - 1]!.leaf_index + 1;
    }
  }

  /** The stored hash of a complete subtree of level ≥ 1, or null when absent. */
  storedNode(level: number, index: number): Buffer | null {
    return this.#node.get(level, index)?.hash ?? null;
  }

  /** MTH of the first `treeSize` leaves (RFC 6962 §2.1). */
  root(treeSize: number = this.size): Buffer {
    this.#checkSize(treeSize);
    return rootAt(this, treeSize);
  }

  /** RFC 6962 §2.1.1 audit path of leaf `leafIndex` in the tree of the first `treeSize` leaves. */
  inclusionProof(leafIndex: number, treeSize: number): Buffer[] {
    this.#checkSize(treeSize);
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
      throw new EarshotError('EARSHOT_E_PROOF_RANGE', `leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
    }
    return inclusionProof(this, leafIndex, treeSize);
  }

  /** RFC 6962 §2.1.2 consistency proof from the first `first` to the first `second` leaves. */
  consistencyProof(first: number, second: number): Buffer[] {
    this.#checkSize(second);
    if (!Number.isSafeInteger(first) || first < 0 || first > second) {
      throw new EarshotError('EARSHOT_E_PROOF_RANGE', `a tree of ${first} leaves is not a prefix of one of ${second}`);
    }
    return consistencyProof(this, first, second);
  }

  #checkSize(treeSize: number): void {
    const size = this.size;
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > size) {
      throw new EarshotError('EARSHOT_E_PROOF_RANGE', `tree size ${treeSize} (the log holds ${size} leaves)`);
    }
  }
}
