import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EvidenceLog } from '../../src/evidence/evidence-log.ts';
import { decodeLeaf } from '../../src/evidence/leaf.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/evidence/merkle.ts';
import { verifyTreeHead } from '../../src/evidence/tree-head.ts';
import type { ServerKey } from '../../src/evidence/server-key.ts';
import { diaryLeaf, newServerKey, openEvidenceDb, steppingClock } from './helpers.ts';

const N = 10_000;
const HEAD_EVERY = 1000;

/** Deterministic PRNG (mulberry32) so a failure names the same leaves every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A log of N diary leaves with a signed head every HEAD_EVERY leaves, appended in caller transactions. */
function bigLog(): { log: EvidenceLog; file: string; key: ServerKey } {
  const { db, file } = openEvidenceDb();
  const key = newServerKey();
  const log = new EvidenceLog(db, key, { now: steppingClock() });
  const batch = db.transaction((from: number) => {
    for (let i = from; i < from + HEAD_EVERY; i++) expect(log.append(diaryLeaf(i)).leafIndex).toBe(i);
  });
  for (let from = 0; from < N; from += HEAD_EVERY) {
    batch(from);
    log.signTreeHead();
  }
  return { log, file, key };
}

/** Runs SQL through the sqlite3 command-line shell, as someone editing the file by hand would. */
function sqlite3(file: string, sql: string): void {
  try {
    execFileSync('sqlite3', [file, sql], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(String((e as { stderr?: Buffer }).stderr ?? e));
  }
}

describe('evidence log of 10 000 leaves', () => {
  it('proves random leaves against signed heads, heads consistent, and the whole log verifies', () => {
    const { log, key } = bigLog();
    expect(log.size).toBe(N);
    const latest = log.latestTreeHead()!;
    const checked = verifyTreeHead(latest.bytes, latest.signature, key.publicKey);
    if (!checked.ok) throw new Error(checked.error.detail);
    expect(checked.head.treeSize).toBe(N);
    const root = Buffer.from(checked.head.rootHash, 'hex');

    const rand = prng(6962);
    for (let k = 0; k < 300; k++) {
      const m = Math.floor(rand() * N);
      const leaf = log.leaf(m)!;
      expect(decodeLeaf(leaf.leaf)).toMatchObject({ ok: true, leaf: { kind: 'diary', data: { entry: m } } });
      const path = log.inclusionProof(m, N);
      expect(path.length).toBeLessThanOrEqual(14); // ceil(log2 10 000); shorter on the right edge
      expect(verifyInclusion(m, N, leafHash(leaf.leaf), path, root)).toBe(true);
      expect(verifyInclusion(m, N, leafHash(log.leaf((m + 1) % N)!.leaf), path, root)).toBe(false);
      // …and in an earlier head, if it holds the leaf.
      const size = (Math.floor(m / HEAD_EVERY) + 1) * HEAD_EVERY;
      expect(verifyInclusion(m, size, leaf.leafHash, log.inclusionProof(m, size), log.root(size))).toBe(true);
    }

    for (let a = HEAD_EVERY; a < N; a += HEAD_EVERY) {
      expect(verifyConsistency(a, N, log.consistencyProof(a, N), log.root(a), root)).toBe(true);
      expect(verifyConsistency(a, a + 1, log.consistencyProof(a, a + 1), log.root(a), log.root(a + 1))).toBe(true);
    }

    const report = log.verify();
    expect(report).toEqual({ ok: true, leaves: N, treeHeads: N / HEAD_EVERY, failures: [], failureCount: 0 });
  });

  it('catches a leaf byte changed behind its back with the sqlite3 CLI, naming the leaf', () => {
    const { log, file, key } = bigLog();
    const before = log.leaf(4321)!.leaf.toString();
    expect(log.verify().ok).toBe(true);
    // The trigger stops the same edit while it stands.
    expect(() => sqlite3(file, "UPDATE evidence_leaves SET leaf = x'00' WHERE leaf_index = 4321")).toThrow(/append-only/);
    expect(log.leaf(4321)!.leaf.toString()).toBe(before);

    sqlite3(file, 'DROP TRIGGER evidence_leaves_no_update');
    // One byte: "music" → "Music" in leaf 4321's text.
    sqlite3(file, "UPDATE evidence_leaves SET leaf = CAST(replace(CAST(leaf AS TEXT), 'music', 'Music') AS BLOB) WHERE leaf_index = 4321");
    const reopened = new EvidenceLog(openEvidenceDb(file).db, key);
    const after = reopened.leaf(4321)!.leaf.toString();
    expect(after).not.toBe(before);
    expect(after.length).toBe(before.length);

    const report = reopened.verify();
    expect(report.ok).toBe(false);
    expect(report.failures.filter((f) => f.code === 'EARSHOT_E_LEAF_HASH_MISMATCH')).toEqual([expect.objectContaining({ leafIndex: 4321 })]);
    expect(report.failures[0]!.detail).toMatch(/^leaf 4321:/);
    // Every head from 5000 leaves on counted the changed leaf; the ones before did not.
    const heads = report.failures.filter((f) => f.code === 'EARSHOT_E_TREE_HEAD_ROOT_MISMATCH').map((f) => f.treeHeadId);
    expect(heads).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('catches a leaf rewritten together with its stored hash: the nodes above it and the heads disagree', () => {
    const { log, file, key } = bigLog();
    expect(log.verify().ok).toBe(true);
    const raw = new Database(file);
    raw.exec('DROP TRIGGER evidence_leaves_no_update');
    const forged = Buffer.from(log.leaf(77)!.leaf.toString().replace('wall', 'door'));
    raw.prepare('UPDATE evidence_leaves SET leaf = ?, leaf_hash = ? WHERE leaf_index = 77').run(forged, leafHash(forged));
    raw.close();
    const report = new EvidenceLog(openEvidenceDb(file).db, key).verify();
    expect(report.ok).toBe(false);
    expect(report.failures.some((f) => f.code === 'EARSHOT_E_LEAF_HASH_MISMATCH')).toBe(false);
    const nodes = report.failures.filter((f) => f.code === 'EARSHOT_E_NODE_MISMATCH').map((f) => f.detail);
    expect(nodes[0]).toBe('level 1 node 38 (leaves 76–77) differs');
    expect(nodes).toHaveLength(13); // every complete subtree above leaf 77 up to 8192 leaves
    expect(report.failures.filter((f) => f.code === 'EARSHOT_E_TREE_HEAD_ROOT_MISMATCH')).toHaveLength(10);
  });

  it('catches deleted leaves: a gap, and a log shorter than its heads', () => {
    const { db, file } = openEvidenceDb();
    const key = newServerKey();
    const log = new EvidenceLog(db, key, { now: steppingClock() });
    for (let i = 0; i < 40; i++) log.append(diaryLeaf(i));
    log.signTreeHead();
    db.close();
    sqlite3(file, 'DROP TRIGGER evidence_leaves_no_delete; DELETE FROM evidence_leaves WHERE leaf_index >= 30');
    const shorter = new EvidenceLog(openEvidenceDb(file).db, key).verify();
    expect(shorter.failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_TREE_HEAD_BEYOND_LOG', treeHeadId: 1 })]);
    sqlite3(file, 'DELETE FROM evidence_leaves WHERE leaf_index = 12');
    const gap = new EvidenceLog(openEvidenceDb(file).db, key).verify();
    expect(gap.failures[0]).toEqual(expect.objectContaining({ code: 'EARSHOT_E_LEAF_MISSING', leafIndex: 12 }));
  });

  it('checks every head with the key: a head under another key is named', () => {
    const { db } = openEvidenceDb();
    const log = new EvidenceLog(db, newServerKey(), { now: steppingClock() });
    log.append(diaryLeaf(0));
    const first = log.signTreeHead();
    const impostor = new EvidenceLog(db, newServerKey(), { now: steppingClock() });
    impostor.append(diaryLeaf(1));
    const forged = impostor.signTreeHead();
    const report = log.verify();
    expect(report.failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID', treeHeadId: forged.id })]);
    expect(first.id).toBe(1);
  });
});

describe('evidence log facade', () => {
  it('signs heads on demand over the exact stored bytes', () => {
    const { db } = openEvidenceDb();
    const key = newServerKey();
    const log = new EvidenceLog(db, key, { now: steppingClock('2026-03-01T22:00:00.000Z') });
    expect(log.latestTreeHead()).toBeNull();
    const empty = log.signTreeHead();
    expect(empty.head).toEqual({ treeSize: 0, rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', timestamp: '2026-03-01T22:00:01.000Z', logId: key.logId });
    const a = log.append(diaryLeaf(0));
    expect(a).toEqual({ leafIndex: 0, leafHash: leafHash(log.leaf(0)!.leaf) });
    const head = log.signTreeHead();
    const stored = log.latestTreeHead()!;
    expect(stored.bytes.equals(head.bytes)).toBe(true);
    expect(stored.signature.equals(head.signature)).toBe(true);
    expect(verifyTreeHead(stored.bytes, stored.signature, key.publicKey)).toMatchObject({ ok: true, head: { treeSize: 1 } });
    expect(log.leaf(0)!.appendedAt).toBe('2026-03-01T22:00:02.000Z');
    expect(() => log.append({ ...diaryLeaf(1), recordedAt: 'yesterday' })).toThrow(expect.objectContaining({ code: 'EARSHOT_E_LEAF_INVALID' }));
    expect(log.size).toBe(1);
  });

  it('appends a correction as a new leaf naming an earlier one, never past the end', () => {
    const { db } = openEvidenceDb();
    const log = new EvidenceLog(db, newServerKey(), { now: steppingClock() });
    log.append(diaryLeaf(0));
    const fix = { v: 1, kind: 'correction', recordedAt: '2026-03-02T09:00:00.000Z', caseRef: 'ASB-2026-0001', data: { correctsLeafIndex: 0, reason: 'wrong night' } } as const;
    expect(log.append(fix).leafIndex).toBe(1);
    expect(() => log.append({ ...fix, data: { correctsLeafIndex: 2, reason: 'not yet there' } })).toThrow(expect.objectContaining({ code: 'EARSHOT_E_LEAF_INVALID' }));
    expect(decodeLeaf(log.leaf(0)!.leaf)).toMatchObject({ ok: true, leaf: { kind: 'diary' } });
    expect(log.size).toBe(2);
  });
});
