import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EvidenceLog } from '../../src/evidence/evidence-log.ts';
import { leafHash } from '../../src/evidence/merkle.ts';
import { encodeTreeHead, signTreeHead, verifyTreeHead } from '../../src/evidence/tree-head.ts';
import { startTreeHeadTimer, treeHeadDue } from '../../src/evidence/tree-head-timer.ts';
import { diaryLeaf, newServerKey, openEvidenceDb, steppingClock, tempDir } from './helpers.ts';

const AT = new Date('2026-03-01T22:00:00.000Z');

describe('signed tree head', () => {
  const key = newServerKey();
  const root = leafHash(Buffer.from('x'));

  it('is exactly the DESIGN §5 JSON, keys in order, and verifies', () => {
    const sth = signTreeHead(1, root, AT, key.privateKey, key.logId);
    expect(sth.bytes.toString()).toBe(`{"treeSize":1,"rootHash":"${root.toString('hex')}","timestamp":"2026-03-01T22:00:00.000Z","logId":"${key.logId}"}`);
    expect(encodeTreeHead(sth.head).equals(sth.bytes)).toBe(true);
    expect(sth.signature).toHaveLength(64);
    expect(verifyTreeHead(sth.bytes, sth.signature, key.publicKey)).toEqual({ ok: true, head: sth.head });
  });

  it('verifies with openssl over the same bytes (an independent Ed25519 implementation)', () => {
    const dir = tempDir();
    const sth = signTreeHead(5, root, AT, key.privateKey, key.logId);
    writeFileSync(join(dir, 'sth.json'), sth.bytes);
    writeFileSync(join(dir, 'sth.sig.bin'), sth.signature);
    writeFileSync(join(dir, 'pub.pem'), key.publicKeyPem);
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pub.pem'), '-rawin', '-in', join(dir, 'sth.json'), '-sigfile', join(dir, 'sth.sig.bin')]).toString();
    expect(out).toMatch(/Signature Verified Successfully/);
  });

  it('fails when any byte of the head or signature changes, or under another key', () => {
    const sth = signTreeHead(3, root, AT, key.privateKey, key.logId);
    for (let i = 0; i < sth.bytes.length; i++) {
      const b = Buffer.from(sth.bytes);
      b[i]! ^= 1;
      expect(verifyTreeHead(b, sth.signature, key.publicKey).ok).toBe(false);
    }
    for (let i = 0; i < 64; i += 7) {
      const s = Buffer.from(sth.signature);
      s[i]! ^= 0x10;
      expect(verifyTreeHead(sth.bytes, s, key.publicKey)).toMatchObject({ ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID' } });
    }
    expect(verifyTreeHead(sth.bytes, sth.signature, newServerKey().publicKey)).toMatchObject({ ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID' } });
    expect(verifyTreeHead(sth.bytes, sth.signature.subarray(0, 63), key.publicKey)).toMatchObject({ ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID' } });
  });

  it('names a head signed by this key for another log id, and a malformed one', () => {
    const other = signTreeHead(3, root, AT, key.privateKey, 'ab'.repeat(32));
    expect(verifyTreeHead(other.bytes, other.signature, key.publicKey)).toMatchObject({ ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_LOG_ID_MISMATCH' } });
    const bytes = Buffer.from('{"treeSize":-1}');
    expect(verifyTreeHead(bytes, sign(null, bytes, key.privateKey), key.publicKey)).toMatchObject({ ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_MALFORMED' } });
  });
});

describe('periodic tree heads', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are due with no head, with new leaves, or when the latest is older than the maximum age', () => {
    const now = new Date('2026-03-02T00:00:00.000Z');
    expect(treeHeadDue(null, 0, now, 3_600_000)).toBe(true);
    expect(treeHeadDue({ treeSize: 5, timestamp: '2026-03-01T23:59:00.000Z' }, 6, now, 3_600_000)).toBe(true);
    expect(treeHeadDue({ treeSize: 5, timestamp: '2026-03-01T23:59:00.000Z' }, 5, now, 3_600_000)).toBe(false);
    expect(treeHeadDue({ treeSize: 5, timestamp: '2026-03-01T23:00:00.000Z' }, 5, now, 3_600_000)).toBe(true);
  });

  it('are signed by the timer only when due, until stopped', () => {
    vi.useFakeTimers();
    const { db } = openEvidenceDb();
    const log = new EvidenceLog(db, newServerKey(), { now: steppingClock() });
    const errors: unknown[] = [];
    const timer = startTreeHeadTimer(log, { intervalMs: 60_000, maxAgeMs: 86_400_000 }, (e) => errors.push(e), () => new Date('2026-03-01T22:30:00.000Z'));
    const count = (): unknown => db.prepare('SELECT count(*) AS n FROM evidence_tree_heads').get();
    vi.advanceTimersByTime(60_000);
    expect(count()).toEqual({ n: 1 });
    vi.advanceTimersByTime(180_000);
    expect(count()).toEqual({ n: 1 });
    log.append(diaryLeaf(0));
    vi.advanceTimersByTime(60_000);
    expect(count()).toEqual({ n: 2 });
    expect(log.latestHeadInfo()!.treeSize).toBe(1);
    timer.stop();
    log.append(diaryLeaf(1));
    vi.advanceTimersByTime(600_000);
    expect(count()).toEqual({ n: 2 });
    expect(errors).toEqual([]);
  });

  it('report a signing failure and keep going', () => {
    vi.useFakeTimers();
    let calls = 0;
    const errors: unknown[] = [];
    const signer = {
      size: 1,
      latestHeadInfo: () => null,
      signTreeHead: () => {
        calls++;
        throw new Error('disk full');
      },
    };
    const timer = startTreeHeadTimer(signer, { intervalMs: 1000, maxAgeMs: 1000 }, (e) => errors.push(e));
    vi.advanceTimersByTime(3000);
    timer.stop();
    expect(calls).toBe(3);
    expect(errors).toHaveLength(3);
  });
});
