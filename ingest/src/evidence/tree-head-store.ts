/**
 * Signed tree heads in SQLite (table in migrations.ts): the exact signed bytes
 * and signature, kept for ever, so `earshot log verify` can check every head the
 * server ever issued against the leaves.
 */
import type { Database as Db, Statement } from 'better-sqlite3';

export interface StoredTreeHead {
  readonly id: number;
  /** As recorded beside the bytes; verification reads the size from the signed bytes. */
  readonly treeSize: number;
  readonly bytes: Buffer;
  readonly signature: Buffer;
}

interface Row {
  id: number;
  tree_size: number;
  sth: Buffer;
  signature: Buffer;
}

function toHead(r: Row): StoredTreeHead {
  return { id: r.id, treeSize: r.tree_size, bytes: r.sth, signature: r.signature };
}

export class TreeHeadStore {
  readonly #insert: Statement<[number, Buffer, Buffer]>;
  readonly #latest: Statement<[], Row>;
  readonly #all: Statement<[], Row>;

  constructor(db: Db) {
    this.#insert = db.prepare('INSERT INTO evidence_tree_heads (tree_size, sth, signature) VALUES (?, ?, ?)');
    this.#latest = db.prepare('SELECT id, tree_size, sth, signature FROM evidence_tree_heads ORDER BY id DESC LIMIT 1');
    this.#all = db.prepare('SELECT id, tree_size, sth, signature FROM evidence_tree_heads ORDER BY tree_size, id');
  }

  record(treeSize: number, bytes: Buffer, signature: Buffer): StoredTreeHead {
    const id = Number(this.#insert.run(treeSize, bytes, signature).lastInsertRowid);
    return { id, treeSize, bytes, signature };
  }

  /** The most recently signed head, or null before the first. */
  latest(): StoredTreeHead | null {
    const r = this.#latest.get();
    return r === undefined ? null : toHead(r);
  }

  /** Every head, smallest tree first. */
  all(): StoredTreeHead[] {
    return this.#all.all().map(toHead);
  }
}
