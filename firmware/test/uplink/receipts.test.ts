/**
 * Stored receipts, the monitor's side (DESIGN §4), against a real aedes broker
 * that PUBACKs every publish but stores nothing (as an external broker in front
 * of an ingest that is stopped): the journal keeps what is only PUBACKed, drops
 * it on a valid receipt, ignores and counts forged and replayed ones, and
 * resends what stays unreceipted after a timeout or a reconnect.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIP_CHUNK_BYTES, encodeReceipt, topics } from '@earshot/shared';
import { describeClipFile, type Outbox } from '../../src/outbox/index.ts';
import { Uplink } from '../../src/uplink/index.ts';
import { batch, DEVICE, makeKeys, openOutbox, tempDir } from '../outbox/helpers.ts';
import { TestBroker } from './test-broker.ts';

const keys = makeKeys();
const server = generateKeyPairSync('ed25519');
const SECRET = 'device-secret-1';
const FAST = { initialMs: 20, maxMs: 200 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(): Promise<TestBroker> {
  const b = new TestBroker(SECRET);
  await b.start();
  cleanups.push(() => b.stop());
  return b;
}
function outbox(): { outbox: Outbox; dir: string } {
  const t = tempDir('receipts');
  cleanups.push(t.cleanup);
  const o = openOutbox(t.dir, keys);
  cleanups.push(() => o.close());
  return { outbox: o, dir: t.dir };
}
function uplink(b: TestBroker, o: Outbox, timeoutMs = 60_000): Uplink {
  const u = new Uplink({ url: b.url, deviceId: DEVICE, secret: SECRET, outbox: o, maxInFlight: 8, backoff: FAST, receipts: { serverKey: server.publicKey, timeoutMs, syncMs: 50 } });
  u.start();
  cleanups.push(() => u.stop());
  return u;
}
const waitFor = (cond: () => boolean, timeout = 20_000): Promise<void> =>
  vi.waitFor(() => {
    if (!cond()) throw new Error('not yet');
  }, { timeout, interval: 10 });
const receipt = (stored: number, key = server.privateKey, device = DEVICE): Buffer => encodeReceipt(device, stored, new Date(), key);
const sent = (b: TestBroker): number => b.received.filter((r) => r.topic === topics.levels(DEVICE)).length;

describe('stored receipts on the monitor', () => {
  it('keeps PUBACKed messages until a valid receipt covers them, then drops exactly those', async () => {
    const b = await broker();
    const { outbox: o } = outbox();
    const u = uplink(b, o);
    for (let i = 0; i < 5; i++) u.enqueue('levels', batch(i * 10, 10, () => 50));
    await waitFor(() => sent(b) === 5 && u.status().inFlight === 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(o.stats().depth).toBe(5); // every one PUBACKed, none stored at the ingest: all kept
    await b.publishRetained(topics.receipt(DEVICE), receipt(2));
    await waitFor(() => o.stats().depth === 2);
    await b.publishRetained(topics.receipt(DEVICE), receipt(4));
    await waitFor(() => o.stats().depth === 0);
    expect(u.status().receipts).toEqual({ stored: 4, forged: 0, replayed: 0 });
  });

  it('ignores and counts forged receipts (wrong key, another device, malformed) and replayed ones', async () => {
    const b = await broker();
    const { outbox: o } = outbox();
    const u = uplink(b, o);
    for (let i = 0; i < 5; i++) u.enqueue('levels', batch(i * 10, 10, () => 50));
    await waitFor(() => sent(b) === 5 && u.status().inFlight === 0);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    await b.publishRetained(topics.receipt(DEVICE), receipt(4, stranger));
    await b.publishRetained(topics.receipt(DEVICE), receipt(4, server.privateKey, 'dev-other-9'));
    const tampered = receipt(1);
    tampered.write('4', tampered.indexOf('"stored":1') + 9, 'latin1'); // stored 1 → 4 after signing
    await b.publishRetained(topics.receipt(DEVICE), tampered);
    await b.publishRetained(topics.receipt(DEVICE), Buffer.from('{"v":1,"device":"dev-test-1","stored":4}'));
    await waitFor(() => u.status().receipts?.forged === 4);
    expect(o.stats().depth).toBe(5);
    await b.publishRetained(topics.receipt(DEVICE), receipt(2));
    await waitFor(() => o.stats().depth === 2);
    const old = receipt(1);
    await b.publishRetained(topics.receipt(DEVICE), old);
    await waitFor(() => u.status().receipts?.replayed === 1);
    expect(o.stats().depth).toBe(2);
    expect(u.status().receipts).toEqual({ stored: 2, forged: 4, replayed: 1 });
  });

  it('resends what stays unreceipted past the timeout, and again after a reconnect', async () => {
    const b = await broker();
    const { outbox: o } = outbox();
    const u = uplink(b, o, 400);
    for (let i = 0; i < 3; i++) u.enqueue('levels', batch(i * 10, 10, () => 50));
    await waitFor(() => sent(b) >= 6); // each sent again once the timeout passed without a receipt
    expect(u.status().resent).toBeGreaterThanOrEqual(3);
    expect(new Set(b.received.map((r) => r.payload.toString('latin1'))).size).toBe(3); // identical bytes each time
    await b.publishRetained(topics.receipt(DEVICE), receipt(2));
    await waitFor(() => o.stats().depth === 0);

    // Reconnect: what is unreceipted goes again once the retained receipt had its chance.
    u.enqueue('levels', batch(100, 10, () => 50));
    await waitFor(() => sent(b) >= 7 && u.status().inFlight === 0);
    const before = sent(b);
    await b.stop();
    await b.start();
    await waitFor(() => sent(b) > before);
    expect(o.stats().depth).toBe(1);
  });

  it('keeps a clip, manifest and chunks, until its manifest is receipted', async () => {
    const b = await broker();
    const { outbox: o, dir } = outbox();
    const u = uplink(b, o);
    const path = join(dir, 'clip-r1.wav');
    writeFileSync(path, randomBytes(Math.floor(CLIP_CHUNK_BYTES * 2.5)));
    const facts = await describeClipFile(path);
    const manifest = {
      clipId: 'clip-r1', eventId: 'ev-r1', ...facts, sampleRate: 48_000, channels: 1, bitsPerSample: 16 as const,
      fullScaleDb: 120, startedAt: '2026-11-20T22:00:00.000Z', durationSeconds: 2, preTriggerSeconds: 1, postTriggerSeconds: 1,
    };
    await u.enqueueClip(path, manifest);
    await waitFor(() => b.received.filter((r) => r.topic.startsWith(`${topics.clip(DEVICE)}/`)).length === manifest.chunks && u.status().inFlight === 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(o.stats().depth).toBe(1 + manifest.chunks);
    expect(existsSync(path)).toBe(true);
    await b.publishRetained(topics.receipt(DEVICE), receipt(0));
    await waitFor(() => o.stats().depth === 0);
    expect(existsSync(path)).toBe(false);
  });
});
