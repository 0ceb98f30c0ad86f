/**
 * One script on both adapters of the evidence-log port: SQLite (today's
 * LogStore) and PostgreSQL give the same leaf bytes, roots, inclusion and
 * consistency proofs, and the same verification; appends from two connections
 * at once leave no gap and no duplicate.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { EvidenceLog } from '../../src/evidence/evidence-log.ts';
import { LogStore } from '../../src/evidence/log-store.ts';
import { MemoryTree } from '../../src/evidence/memory-tree.ts';
import { rootAt, verifyConsistency, verifyInclusion } from '../../src/evidence/merkle.ts';
import { serverKeyFromPrivate } from '../../src/evidence/server-key.ts';
import { signTreeHead } from '../../src/evidence/tree-head.ts';
import { TreeHeadStore } from '../../src/evidence/tree-head-store.ts';
import { verifyLog } from '../../src/evidence/verify-log.ts';
import type { EvidenceLogPort } from '../../src/storage/evidence-log-port.ts';
import { appendInTransaction, postgresEvidenceLog } from '../../src/storage/postgres/evidence-log.ts';
import { sqliteEvidenceLog } from '../../src/storage/sqlite/evidence-log.ts';
import { verifyLogPort } from '../../src/storage/verify-log.ts';
import { usePostgres } from './pg-fixture.ts';

const pg = usePostgres();
const key = serverKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
const N = 77;

/** Deterministic leaves of varied lengths, including bytes no text encoding would keep. */
function leafBytes(i: number): Buffer {
  const b = Buffer.alloc(1 + ((i * 37) % 300));
  for (let k = 0; k < b.length; k++) b[k] = (i * 131 + k * 7) & 0xff;
  return b;
}

function at(i: number): string {
  return new Date(Date.UTC(2026, 2, 1, 22, 0, i)).toISOString();
}

const PAIRS: readonly (readonly [number, number])[] = [[0, 1], [0, N], [N - 1, N], [31, 32], [32, 33], [5, 17], [63, 64], [64, 77], [40, 41], [13, 50]];

async function script(port: EvidenceLogPort) {
  // Singles, then batches, then singles again: both append paths.
  for (let i = 0; i < 20; i++) await port.append(leafBytes(i), at(i));
  for (let i = 20; i < 60; i += 8) {
    const batch = Array.from({ length: Math.min(8, 60 - i) }, (_, k) => ({ leaf: leafBytes(i + k), appendedAt: at(i + k) }));
    const r = await port.appendAll(batch);
    expect(r.map((x) => x.leafIndex)).toEqual(batch.map((_, k) => i + k));
  }
  for (let i = 60; i < N; i++) expect((await port.append(leafBytes(i), at(i))).leafIndex).toBe(i);
  for (const size of [0, 1, 33, N]) {
    const root = await port.root(size);
    const h = signTreeHead(size, root, new Date(Date.UTC(2026, 2, 2, 0, 0, size)), key.privateKey, key.logId);
    await port.recordTreeHead(size, h.bytes, h.signature);
  }
  const leaves = [];
  for (let i = 0; i < N; i++) leaves.push(await port.leaf(i));
  const roots = [];
  for (let n = 0; n <= N; n++) roots.push((await port.root(n)).toString('hex'));
  const inclusion = [];
  for (const [m, n] of PAIRS) inclusion.push((await port.inclusionProof(m, n)).map((b) => b.toString('hex')));
  const consistency = [];
  for (const [m, n] of PAIRS) consistency.push((await port.consistencyProof(m, n)).map((b) => b.toString('hex')));
  const heads = (await port.treeHeads()).map((h) => ({ id: h.id, treeSize: h.treeSize, bytes: h.bytes.toString('hex'), signature: h.signature.toString('hex') }));
  const latest = await port.latestTreeHead();
  const page = (await port.leafPage(70, 100)).map((l) => l.leafIndex);
  return { size: await port.size(), leaves, roots, inclusion, consistency, heads, latest: latest?.id, page, missing: await port.leaf(N) };
}

function sqlitePort(dir: string) {
  const db = openDatabase(join(dir, 'earshot.db'), EvidenceLog.migrations);
  return { db, port: sqliteEvidenceLog(db) };
}

describe('evidence-log port: SQLite and PostgreSQL', () => {
  it('give the same leaf bytes, roots, inclusion and consistency proofs for the same appends', async () => {
    const { db, port: lite } = sqlitePort(pg.tempDir());
    const pool = await pg.pool();
    const fromLite = await script(lite);
    const fromPg = await script(postgresEvidenceLog(pool));
    expect(fromPg).toEqual(fromLite);

    // And both are RFC 6962 as the whole in-memory tree computes it.
    const mem = MemoryTree.fromLeaves(Array.from({ length: N }, (_, i) => leafBytes(i)));
    for (let n = 0; n <= N; n++) expect(fromPg.roots[n]).toBe(rootAt(mem, n).toString('hex'));
    expect(fromPg.leaves.map((l) => l!.leaf.equals(leafBytes(l!.leafIndex)))).toEqual(Array(N).fill(true));
    expect(fromPg.page).toEqual([70, 71, 72, 73, 74, 75, 76]);
    expect(fromPg.missing).toBeNull();
    PAIRS.forEach(([m, n], i) => {
      const proof = fromPg.inclusion[i]!.map((h) => Buffer.from(h, 'hex'));
      expect(verifyInclusion(m, n, fromPg.leaves[m]!.leafHash, proof, Buffer.from(fromPg.roots[n]!, 'hex'))).toBe(true);
      const c = fromPg.consistency[i]!.map((h) => Buffer.from(h, 'hex'));
      expect(verifyConsistency(m, n, c, Buffer.from(fromPg.roots[m]!, 'hex'), Buffer.from(fromPg.roots[n]!, 'hex'))).toBe(true);
    });

    // Verification over the port agrees with the synchronous verifier, on both stores.
    const sync = verifyLog(new LogStore(db), new TreeHeadStore(db), key.publicKey);
    expect(sync).toMatchObject({ ok: true, leaves: N, treeHeads: 4 });
    expect(await verifyLogPort(lite, key.publicKey)).toEqual(sync);
    expect(await verifyLogPort(postgresEvidenceLog(pool), key.publicKey)).toEqual(sync);
    db.close();
  });

  it('refuse proofs outside the log alike', async () => {
    const { db, port: lite } = sqlitePort(pg.tempDir());
    const post = postgresEvidenceLog(await pg.pool());
    for (const p of [lite, post]) {
      await p.appendAll([0, 1, 2].map((i) => ({ leaf: leafBytes(i), appendedAt: at(i) })));
      await expect(p.root(4)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE' });
      await expect(p.inclusionProof(3, 3)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE' });
      await expect(p.consistencyProof(2, 4)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE' });
      // Proofs that read no stored node still need their tree to exist.
      await expect(p.consistencyProof(4, 4)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE', message: expect.stringContaining('tree size 4 (the log holds 3 leaves)') });
      await expect(p.consistencyProof(0, 5)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE' });
      await expect(p.inclusionProof(3, 4)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE' });
      await expect(p.inclusionProof(5, 4)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE', message: expect.stringContaining('the log holds 3 leaves') });
      await expect(p.root(-1)).rejects.toMatchObject({ code: 'EARSHOT_E_PROOF_RANGE' });
      expect(await p.consistencyProof(3, 3)).toEqual([]);
      expect((await p.root(0)).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(await p.latestTreeHead()).toBeNull();
    }
    db.close();
  });

  it('finds a tampered node or leaf in PostgreSQL as in SQLite: the same failures', async () => {
    const { target, name } = await pg.database();
    const post = postgresEvidenceLog(await pg.pool(target));
    const { db, port: lite } = sqlitePort(pg.tempDir());
    for (const p of [post, lite]) {
      for (let i = 0; i < 9; i++) await p.append(leafBytes(i), at(i));
      const h = signTreeHead(9, await p.root(), new Date(Date.UTC(2026, 2, 2)), key.privateKey, key.logId);
      await p.recordTreeHead(9, h.bytes, h.signature);
      expect((await verifyLogPort(p, key.publicKey)).ok).toBe(true);
    }
    // Behind the service's back: as the table owner with the append-only triggers off; in SQLite by dropping them.
    await pg.server().sql(name, `ALTER TABLE evidence_leaves DISABLE TRIGGER USER; UPDATE evidence_leaves SET leaf = '\\x00' WHERE leaf_index = 4; ALTER TABLE evidence_leaves ENABLE TRIGGER USER;
      ALTER TABLE evidence_nodes DISABLE TRIGGER USER; UPDATE evidence_nodes SET hash = decode(repeat('ab', 32), 'hex') WHERE level = 1 AND node_index = 0; ALTER TABLE evidence_nodes ENABLE TRIGGER USER;`);
    db.exec(`DROP TRIGGER evidence_leaves_no_update; UPDATE evidence_leaves SET leaf = x'00' WHERE leaf_index = 4;
      DROP TRIGGER evidence_nodes_no_update; UPDATE evidence_nodes SET hash = x'${'ab'.repeat(32)}' WHERE level = 1 AND node_index = 0;`);
    const fromPg = await verifyLogPort(post, key.publicKey);
    const sync = verifyLog(new LogStore(db), new TreeHeadStore(db), key.publicKey);
    const sorted = (r: typeof sync) => r.failures.map((f) => JSON.stringify(f)).sort();
    expect(fromPg.ok).toBe(false);
    expect(fromPg.failures.map((f) => f.code)).toContain('EARSHOT_E_LEAF_HASH_MISMATCH');
    expect(fromPg.failures.map((f) => f.code)).toContain('EARSHOT_E_TREE_HEAD_ROOT_MISMATCH');
    expect(sorted(fromPg)).toEqual(sorted(sync));
    expect(fromPg.failureCount).toBe(sync.failureCount);
    db.close();
  });

  it('releases the append lock when the appending connection dies mid-append: the next appender takes that index', async () => {
    const { target } = await pg.database();
    const pool = await pg.pool(target, 3);
    const log = postgresEvidenceLog(pool);
    await log.appendAll([0, 1, 2].map((i) => ({ leaf: leafBytes(i), appendedAt: at(i) })));
    const dying = await pool.connect();
    const pid = (await dying.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    dying.on('error', () => undefined);
    await dying.query('BEGIN');
    expect((await appendInTransaction(dying, [{ leaf: Buffer.from('never committed'), appendedAt: at(3) }]))[0]!.leafIndex).toBe(3);
    // Another appender waits on the lock …
    let waited = false;
    const next = log.append(Buffer.from('committed'), at(4)).then((r) => ((waited = true), r));
    await new Promise((r) => setTimeout(r, 300));
    expect(waited).toBe(false);
    // … until the holder's connection is killed (as a SIGKILLed process's would be closed).
    await pg.server().sql(target.database, 'SELECT pg_terminate_backend($1)', [pid]);
    expect((await next).leafIndex).toBe(3);
    dying.release(true);
    expect(await log.size()).toBe(4);
    expect((await log.leaf(3))!.leaf.toString()).toBe('committed');
    expect(await verifyLogPort(log, key.publicKey)).toMatchObject({ ok: true, leaves: 4 });
  });

  it('serialises two connections appending at once: no gap, no duplicate, one valid tree', async () => {
    const { target } = await pg.database();
    const a = postgresEvidenceLog(await pg.pool(target, 2));
    const b = postgresEvidenceLog(await pg.pool(target, 2));
    const PER = 120;
    const run = async (port: EvidenceLogPort, who: string): Promise<number[]> => {
      const got: number[] = [];
      for (let i = 0; i < PER; i++) {
        if (i % 10 === 9) got.push(...(await port.appendAll([0, 1, 2].map((k) => ({ leaf: Buffer.from(`${who}-${i}-${k}`), appendedAt: at(i) })))).map((x) => x.leafIndex));
        else got.push((await port.append(Buffer.from(`${who}-${i}`), at(i))).leafIndex);
      }
      return got;
    };
    const [ia, ib] = await Promise.all([run(a, 'a'), run(b, 'b')]);
    const total = 2 * (PER + 12 * 2);
    expect(await a.size()).toBe(total);
    expect([...ia, ...ib].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i));
    // The two really interleaved: neither took one contiguous block.
    expect(ia.some((x, i) => i > 0 && x !== ia[i - 1]! + 1)).toBe(true);
    const stored = await a.leafPage(0, total + 1);
    const texts = stored.map((l) => l.leaf.toString());
    expect(new Set(texts).size).toBe(total);
    const mem = MemoryTree.fromLeaves(stored.map((l) => l.leaf));
    expect((await b.root()).equals(rootAt(mem, total))).toBe(true);
    expect(await verifyLogPort(a, key.publicKey)).toMatchObject({ ok: true, leaves: total });
  });
});
