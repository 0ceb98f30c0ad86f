/**
 * The uplink against a real aedes broker over TCP on 127.0.0.1: the broker
 * killed and restarted mid-stream, the device restarted mid-stream, clips sent
 * in chunks, the retained config handed over, wrong credentials refused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIP_CHUNK_BYTES, parseTopic, topics, type LevelsBody } from '@earshot/shared';
import { describeClipFile, type Outbox } from '../../src/outbox/index.ts';
import { Uplink } from '../../src/uplink/index.ts';
import { batch, DEVICE, makeKeys, openOutbox, openSigned, T0, tempDir } from '../outbox/helpers.ts';
import { TestBroker } from './test-broker.ts';

const keys = makeKeys();
const SECRET = 'device-secret-1';
const FAST = { initialMs: 20, maxMs: 200 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(secret?: string, storeDelayMs = 0, tls?: { key: string; cert: string }): Promise<TestBroker> {
  const b = new TestBroker(secret, storeDelayMs, tls);
  await b.start();
  cleanups.push(() => b.stop());
  return b;
}
function outboxDir(): string {
  const t = tempDir('uplink');
  cleanups.push(t.cleanup);
  return t.dir;
}
function uplink(b: TestBroker, outbox: Outbox, extra: { secret?: string; onConfig?: (p: Buffer) => void; caPem?: string } = {}): Uplink {
  const u = new Uplink({
    url: b.url, deviceId: DEVICE, secret: extra.secret ?? SECRET, outbox, maxInFlight: 8, backoff: FAST,
    ...(extra.onConfig ? { onConfig: extra.onConfig } : {}), ...(extra.caPem !== undefined ? { caPem: extra.caPem } : {}),
  });
  u.start();
  cleanups.push(() => u.stop());
  return u;
}
const waitFor = (cond: () => boolean, timeout = 20_000): Promise<void> =>
  vi.waitFor(() => {
    if (!cond()) throw new Error('not yet');
  }, { timeout, interval: 10 });

describe('uplink', () => {
  it('loses nothing through a broker crash with the device restarting offline, then a broker crash alone', async () => {
    const b = await broker(SECRET, 5);
    const dir = outboxDir();
    let outbox = openOutbox(dir, keys);
    cleanups.push(() => outbox.close());
    const total = 300;
    let enqueued = 0;
    const enqueue = (n: number, u?: Uplink): void => {
      for (let i = 0; i < n; i++, enqueued++) {
        const body = batch(enqueued * 10, 10, (s) => 40 + (s % 30));
        if (u === undefined) outbox.enqueue('levels', body);
        else u.enqueue('levels', body);
      }
    };
    enqueue(100);
    let u = uplink(b, outbox);
    await waitFor(() => b.received.length >= 40);
    // Power cut: the broker dies with PUBACKs outstanding, and the device restarts while it is down.
    await b.stop();
    await u.stop();
    outbox.close();
    outbox = openOutbox(dir, keys);
    enqueue(100);
    u = uplink(b, outbox);
    await b.start();
    await waitFor(() => b.received.length >= 170);
    // Broker crash alone: the running uplink reconnects and completes what was in flight.
    await b.stop();
    enqueue(100, u); // the monitor keeps measuring while offline
    await b.start();
    await waitFor(() => u.status().outbox.depth === 0 && u.status().inFlight === 0);

    const bySeq = new Map<number, Buffer>();
    for (const r of b.received) {
      expect(r.topic).toBe(topics.levels(DEVICE));
      const { seq } = openSigned(r.payload, keys.publicKey);
      const seen = bySeq.get(seq);
      if (seen !== undefined) expect(r.payload.equals(seen)).toBe(true); // a redelivery is the same signed bytes
      bySeq.set(seq, r.payload);
    }
    expect([...bySeq.keys()].sort((x, y) => x - y)).toEqual([...Array(total).keys()]);
    const seconds = [...bySeq.values()].flatMap((p) => (openSigned(p, keys.publicKey).body as LevelsBody).records.map((r) => (Date.parse(r.t) - T0) / 1000));
    expect(seconds.sort((x, y) => x - y)).toEqual([...Array(total * 10).keys()]);
    expect(b.connects.length).toBeGreaterThanOrEqual(3);
    expect(b.connects.every((c) => c.clientId === DEVICE && c.username === DEVICE && c.password === SECRET && !c.clean && c.protocolVersion === 4)).toBe(true);
  });

  it('delivers a 72 h outage backlog of 259 200 1 s records in order after reconnect, compacted within the quota', async () => {
    const b = await broker();
    await b.stop(); // the outage: the broker is down from the start
    const quota = 8 * 1024 * 1024;
    const outbox = openOutbox(outboxDir(), keys, { quotaBytes: quota });
    cleanups.push(() => outbox.close());
    const u = uplink(b, outbox);
    const seconds = 72 * 3600;
    const perMessage = 360; // accelerated: the device batches 10; larger batches keep the test fast, the journal path is the same
    let energy = 0;
    for (let s = 0; s < seconds; s += perMessage) {
      const body = batch(s, perMessage, (x) => 30 + (x % 4000) / 100);
      for (const r of body.records) energy += 10 ** (r.LAeq! / 10);
      outbox.enqueue('levels', body);
      if (s % 21_600 === 0) outbox.enqueue('event', { kind: 'incident', eventId: `ev-${s}`, at: new Date(T0 + s * 1000).toISOString(), source: 'button', clipIds: [] });
      expect(outbox.stats().bytes).toBeLessThanOrEqual(quota);
    }
    expect(outbox.stats().compactedRecords).toBeGreaterThan(0);
    await b.start();
    await waitFor(() => u.status().outbox.depth === 0 && u.status().inFlight === 0, 60_000);
    const bySeq = new Map<number, Buffer>();
    for (const r of b.received) bySeq.set(openSigned(r.payload, keys.publicKey).seq, r.payload);
    const inSeqOrder = [...bySeq.entries()].sort((x, y) => x[0] - y[0]).map(([, p]) => openSigned(p, keys.publicKey));
    expect(inSeqOrder.filter((m) => m.type === 'event').length).toBe(12);
    const records = inSeqOrder.filter((m) => m.type === 'levels').flatMap((m) => (m.body as LevelsBody).records);
    let expectedStart = T0;
    for (const r of records) {
      expect(Date.parse(r.t)).toBe(expectedStart); // in order, no gap, no overlap
      expectedStart += r.d * 1000;
    }
    expect(expectedStart).toBe(T0 + seconds * 1000);
    expect(records.reduce((a, r) => a + (r.n ?? 1), 0)).toBe(seconds);
    const laeq = (e: number): number => 10 * Math.log10(e / seconds);
    expect(Math.abs(laeq(records.reduce((a, r) => a + r.d * 10 ** (r.LAeq! / 10), 0)) - laeq(energy))).toBeLessThan(0.02);
  }, 120_000);

  it('sends a clip as a signed manifest and raw chunks that reassemble to the file, then deletes it', async () => {
    const b = await broker();
    const dir = outboxDir();
    const wav = join(dir, 'clip-77.wav');
    const bytes = randomBytes(Math.floor(CLIP_CHUNK_BYTES * 3.5));
    writeFileSync(wav, bytes);
    const outbox = openOutbox(join(dir, 'journal'), keys);
    cleanups.push(() => outbox.close());
    const facts = await describeClipFile(wav);
    await outbox.enqueueClip(wav, {
      clipId: 'clip-77', eventId: 'ev-77', ...facts, sampleRate: 48_000, channels: 1, bitsPerSample: 16,
      fullScaleDb: 120, startedAt: '2026-11-20T22:00:00.000Z', durationSeconds: 2, preTriggerSeconds: 1, postTriggerSeconds: 1,
    });
    outbox.enqueue('levels', batch(0, 10, () => 50));
    const u = uplink(b, outbox);
    await waitFor(() => u.status().outbox.depth === 0);
    expect(existsSync(wav)).toBe(false);
    const manifest = b.received.filter((r) => r.topic === topics.clip(DEVICE)).map((r) => openSigned(r.payload, keys.publicKey).body);
    expect(manifest).toEqual([expect.objectContaining({ clipId: 'clip-77', sha256: facts.sha256, chunks: 4, bytes: bytes.length })]);
    const chunks = new Map<number, Buffer>();
    for (const r of b.received) {
      const t = parseTopic(r.topic);
      if (t?.kind === 'clip-chunk') chunks.set(t.chunk, r.payload);
    }
    expect(chunks.size).toBe(4);
    expect(Buffer.concat([0, 1, 2, 3].map((n) => chunks.get(n)!)).equals(bytes)).toBe(true);
  });

  it('hands the retained config to its callback', async () => {
    const b = await broker();
    const config = Buffer.from(JSON.stringify({ version: 3, rules: [] }));
    await b.publishRetained(topics.config(DEVICE), config);
    const outbox = openOutbox(outboxDir(), keys);
    cleanups.push(() => outbox.close());
    const got: Buffer[] = [];
    uplink(b, outbox, { onConfig: (p) => got.push(p) });
    await waitFor(() => got.length > 0);
    expect(got[0]!.equals(config)).toBe(true);
  });

  it('speaks MQTT over TLS to a broker whose certificate the given CA vouches for, and to no other', async () => {
    const tmp = tempDir('tls');
    cleanups.push(tmp.cleanup);
    const key = join(tmp.dir, 'key.pem');
    const cert = join(tmp.dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    const pems = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    const b = await broker(undefined, 0, pems);
    expect(b.url).toMatch(/^mqtts:/);
    const untrusting = openOutbox(outboxDir(), keys);
    cleanups.push(() => untrusting.close());
    untrusting.enqueue('levels', batch(0, 10, () => 50));
    const refused = uplink(b, untrusting); // no CA: the self-signed certificate is not trusted
    await waitFor(() => refused.status().lastError !== null);
    expect(refused.status().lastError?.detail).toMatch(/self-signed|certificate/);
    await refused.stop();
    expect(b.received.length).toBe(0);
    const outbox = openOutbox(outboxDir(), keys);
    cleanups.push(() => outbox.close());
    outbox.enqueue('levels', batch(0, 10, () => 50));
    const u = uplink(b, outbox, { caPem: pems.cert });
    await waitFor(() => u.status().outbox.depth === 0);
    expect(b.received.map((r) => openSigned(r.payload, keys.publicKey).seq)).toEqual([0]);
  });

  it('reports a refused connection and keeps everything queued', async () => {
    const b = await broker(SECRET);
    const outbox = openOutbox(outboxDir(), keys);
    cleanups.push(() => outbox.close());
    outbox.enqueue('levels', batch(0, 10, () => 50));
    const u = uplink(b, outbox, { secret: 'wrong' });
    await waitFor(() => u.status().lastError !== null && b.connects.length >= 2);
    expect(u.status().lastError?.code).toBe('EARSHOT_E_UPLINK_REFUSED');
    expect(u.status().connected).toBe(false);
    expect(u.status().outbox.depth).toBe(1);
    expect(b.received.length).toBe(0);
  });
});
