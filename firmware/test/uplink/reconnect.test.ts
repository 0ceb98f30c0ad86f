/**
 * Reconnection on real sockets with the monitor's default schedule (issue 18):
 * a restored link is used within 10 s after a long cut, and publishes the
 * ingest refuses unstored (its disk full) do not push the backoff up as if the
 * network were down. The jitter is pinned to its worst case (the longest wait
 * each attempt may draw), so the figures hold for every draw.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { topics } from '@earshot/shared';
import type { Outbox } from '../../src/outbox/index.ts';
import { Uplink } from '../../src/uplink/index.ts';
import { batch, DEVICE, makeKeys, openOutbox, openSigned, tempDir } from '../outbox/helpers.ts';
import { TestBroker } from './test-broker.ts';

const keys = makeKeys();
const WORST_JITTER = 0.999;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

async function setup(): Promise<{ b: TestBroker; outbox: Outbox; u: Uplink }> {
  vi.spyOn(Math, 'random').mockReturnValue(WORST_JITTER);
  const b = new TestBroker();
  await b.start();
  cleanups.push(() => b.stop());
  const t = tempDir('reconnect');
  cleanups.push(t.cleanup);
  const outbox = openOutbox(t.dir, keys);
  cleanups.push(() => outbox.close());
  // The default schedule (DEFAULT_BACKOFF): no backoff option.
  const u = new Uplink({ url: b.url, deviceId: DEVICE, secret: 's', outbox, random: () => WORST_JITTER });
  u.start();
  cleanups.push(() => u.stop());
  return { b, outbox, u };
}

const until = (what: string, cond: () => boolean, timeout: number): Promise<void> =>
  vi.waitFor(() => {
    if (!cond()) throw new Error(`not yet: ${what}`);
  }, { timeout, interval: 20 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const storedSeqs = (b: TestBroker): number[] => b.received.filter((r) => r.topic === topics.levels(DEVICE)).map((r) => openSigned(r.payload, keys.publicKey).seq);

describe('reconnecting after a long cut', () => {
  it('uses the link within 10 s of its return after a 47 s cut (58 s with the old 120 s cap)', async () => {
    const { b, u } = await setup();
    u.enqueue('levels', batch(0, 10, () => 50));
    await until('first batch stored', () => storedSeqs(b).length === 1, 10_000);
    await b.stop(); // the cut: connections dropped, new ones refused
    u.enqueue('levels', batch(10, 10, () => 50)); // measured while offline
    await sleep(47_000);
    const connectsBefore = b.connects.length;
    await b.start();
    const restoredAt = Date.now();
    await until('the backlog stored after the link returned', () => storedSeqs(b).includes(1), 15_000);
    const firstConnect = b.connects[connectsBefore]!.at;
    expect(firstConnect - restoredAt).toBeLessThanOrEqual(10_000);
    expect(u.status().reconnect.failures).toBe(0);
  }, 90_000);

  it('treats publishes the ingest refuses unstored as refusals, not as a network down, and sends them within 10 s of it storing again', async () => {
    const { b, u } = await setup();
    u.enqueue('levels', batch(0, 10, () => 50));
    await until('first batch stored', () => storedSeqs(b).length === 1, 10_000);
    b.refusing = true; // the ingest's disk is full: each publish costs the connection, no PUBACK
    const refusedFrom = b.connects.length;
    u.enqueue('levels', batch(10, 10, () => 50));
    await sleep(16_000);
    const refusedSessions = b.connects.length - refusedFrom;
    expect(refusedSessions).toBeGreaterThanOrEqual(3); // the ingest was asked again and again, not given up on
    const during = u.status();
    expect(during.lastError?.code).toBe('EARSHOT_E_UPLINK_REFUSED');
    expect(during.reconnect.failures).toBe(0); // every one of those connections got its CONNACK: the network is fine
    expect(during.outbox.depth).toBe(1);
    b.refusing = false; // space again
    const storingAt = Date.now();
    await until('the refused batch stored', () => storedSeqs(b).includes(1), 15_000);
    expect(Date.now() - storingAt).toBeLessThanOrEqual(10_000);
    await until('the outbox empty', () => u.status().outbox.depth === 0, 5_000);
    expect(u.status().reconnect).toEqual({ failures: 0, refusals: 0 });
  }, 60_000);
});
