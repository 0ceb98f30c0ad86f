import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LogStore } from '../../src/evidence/log-store.ts';
import { MemoryTree } from '../../src/evidence/memory-tree.ts';
import { consistencyProof, inclusionProof, leafHash, rootAt } from '../../src/evidence/merkle.ts';
import { openEvidenceDb } from './helpers.ts';

const AT = '2026-03-01T22:00:00.000Z';

function filled(n: number): { store: LogStore; leaves: Buffer[]; file: string } {
  const { db, file } = openEvidenceDb();
  const store = new LogStore(db);
  const leaves = Array.from({ length: n }, (_, i) => randomBytes(1 + (i % 50)));
  for (const l of leaves) store.append(l, AT);
  return { store, leaves, file };
}

describe('log store', () => {
  it('appends at contiguous indexes and returns the leaf bytes verbatim', () => {
    const { db } = openEvidenceDb();
    const store = new LogStore(db);
    expect(store.size).toBe(0);
    const a = store.append(Buffer.from('{"b":1, "a":2}'), AT);
    const b = store.append(new Uint8Array([0, 1, 2, 255]), AT);
    expect(a.leafIndex).toBe(0);
    expect(b.leafIndex).toBe(1);
    expect(store.size).toBe(2);
    expect(store.leaf(0)!.leaf.toString()).toBe('{"b":1, "a":2}');
    expect([...store.leaf(1)!.leaf]).toEqual([0, 1, 2, 255]);
    expect(store.leaf(1)!.leafHash.equals(leafHash(new Uint8Array([0, 1, 2, 255])))).toBe(true);
    expect(store.leaf(2)).toBeNull();
  });

  it('gives the same roots and proofs as the whole in-memory tree, at every size', () => {
    const { store, leaves } = filled(100);
    const mem = MemoryTree.fromLeaves(leaves);
    for (let n = 0; n <= 100; n++) expect(store.root(n).equals(rootAt(mem, n))).toBe(true);
    for (const [m, n] of [[0, 1], [0, 100], [99, 100], [63, 64], [64, 65], [37, 77]] as const) {
      expect(store.inclusionProof(m, n)).toEqual(inclusionProof(mem, m, n));
    }
    for (const [m, n] of [[1, 100], [64, 100], [33, 34], [50, 50], [0, 7]] as const) {
      expect(store.consistencyProof(m, n)).toEqual(consistencyProof(mem, m, n));
    }
    expect([...store.leaves(0, 7)].map((l) => l.leafIndex)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('refuses proofs outside the log with EARSHOT_E_PROOF_RANGE', () => {
    const { store } = filled(5);
    expect(() => store.inclusionProof(5, 5)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_PROOF_RANGE' }));
    expect(() => store.inclusionProof(0, 6)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_PROOF_RANGE' }));
    expect(() => store.consistencyProof(4, 3)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_PROOF_RANGE' }));
    expect(() => store.root(6)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_PROOF_RANGE' }));
  });

  it('appends inside the caller transaction: rolled back with it, and the next append reuses the index', () => {
    const { db } = openEvidenceDb();
    const store = new LogStore(db);
    store.append(Buffer.from('first'), AT);
    db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT) STRICT');
    const storeMessage = db.transaction((body: string, fail: boolean) => {
      db.prepare('INSERT INTO messages (body) VALUES (?)').run(body);
      const r = store.append(Buffer.from(body), AT);
      if (fail) throw new Error('attach failed');
      return r;
    });
    expect(() => storeMessage('lost', true)).toThrow('attach failed');
    expect(store.size).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM evidence_nodes').get()).toEqual({ n: 0 });
    expect(storeMessage('kept', false).leafIndex).toBe(1);
    expect(store.leaf(1)!.leaf.toString()).toBe('kept');
    expect(store.root(2).equals(rootAt(MemoryTree.fromLeaves([Buffer.from('first'), Buffer.from('kept')]), 2))).toBe(true);
  });

  it('takes turns with a second writer on the same file: no index is used twice', () => {
    const { store, file } = filled(3);
    const other = new Database(file);
    try {
      const second = new LogStore(other);
      const leaves: Buffer[] = [];
      for (let i = 0; i < 20; i++) {
        const l = Buffer.from(`writer ${i % 2} leaf ${i}`);
        leaves.push(l);
        expect((i % 2 === 0 ? store : second).append(l, AT).leafIndex).toBe(3 + i);
      }
      expect(store.size).toBe(23);
      const all = [...store.leaves()].map((l) => l.leaf);
      expect(all.slice(3)).toEqual(leaves);
      expect(second.root().equals(rootAt(MemoryTree.fromLeaves(all), 23))).toBe(true);
    } finally {
      other.close();
    }
  });

  it('is seen at once by a second connection to the same file', () => {
    const { store, file } = filled(10);
    const other = new Database(file, { readonly: true });
    try {
      const second = new LogStore(other);
      expect(second.size).toBe(10);
      expect(second.root().equals(store.root())).toBe(true);
    } finally {
      other.close();
    }
  });
});

describe('append-only triggers', () => {
  const refused = /append-only/;

  it('refuse UPDATE and DELETE of leaves, nodes and tree heads', () => {
    const { store } = filled(4);
    const db = store.db;
    db.prepare('INSERT INTO evidence_tree_heads (tree_size, sth, signature) VALUES (?, ?, ?)').run(4, Buffer.from('{}'), Buffer.alloc(64));
    expect(() => db.prepare("UPDATE evidence_leaves SET leaf = x'00' WHERE leaf_index = 1").run()).toThrow(refused);
    expect(() => db.prepare('UPDATE evidence_leaves SET appended_at = ? WHERE leaf_index = 0').run(AT)).toThrow(refused);
    expect(() => db.prepare('DELETE FROM evidence_leaves WHERE leaf_index = 3').run()).toThrow(refused);
    expect(() => db.prepare('DELETE FROM evidence_leaves').run()).toThrow(refused);
    expect(() => db.prepare('UPDATE evidence_nodes SET hash = zeroblob(32)').run()).toThrow(refused);
    expect(() => db.prepare('DELETE FROM evidence_nodes').run()).toThrow(refused);
    expect(() => db.prepare('UPDATE evidence_tree_heads SET tree_size = 3').run()).toThrow(refused);
    expect(() => db.prepare('DELETE FROM evidence_tree_heads').run()).toThrow(refused);
    expect(db.prepare('SELECT count(*) AS n FROM evidence_leaves').get()).toEqual({ n: 4 });
    expect(db.prepare('SELECT count(*) AS n FROM evidence_nodes').get()).toEqual({ n: 3 });
  });

  it('refuse replacing rows and skipping or reusing a leaf index', () => {
    const { store, leaves } = filled(4);
    const db = store.db;
    const root = store.root();
    const h = Buffer.alloc(32);
    expect(() => db.prepare("INSERT OR REPLACE INTO evidence_leaves VALUES (1, x'00', ?, ?)").run(h, AT)).toThrow(refused);
    expect(() => db.prepare("REPLACE INTO evidence_leaves VALUES (0, x'00', ?, ?)").run(h, AT)).toThrow(refused);
    expect(() => db.prepare("INSERT INTO evidence_leaves VALUES (9, x'00', ?, ?)").run(h, AT)).toThrow(refused);
    expect(() => db.prepare("INSERT INTO evidence_leaves VALUES (2, x'00', ?, ?) ON CONFLICT DO UPDATE SET leaf = excluded.leaf").run(h, AT)).toThrow(refused);
    expect(() => db.prepare('INSERT OR REPLACE INTO evidence_nodes VALUES (1, 0, ?)').run(h)).toThrow(refused);
    expect(store.root().equals(root)).toBe(true);
    expect(store.leaf(1)!.leaf.equals(leaves[1]!)).toBe(true);
  });
});
