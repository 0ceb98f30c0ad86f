import { existsSync, readdirSync, statSync, truncateSync, appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIP_CHUNK_BYTES, StatusBody, topics, type LevelsBody } from '@earshot/shared';
import { describeClipFile, outboxStatus, type Outbox } from '../../src/outbox/index.ts';
import { batch, DEVICE, drain, makeKeys, openOutbox, openSigned, tempDir } from './helpers.ts';

const keys = makeKeys();
let cleanups: (() => void)[] = [];
const opened: Outbox[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir('outbox');
  cleanups.push(t.cleanup);
  return t.dir;
}
function open(d: string, extra: Parameters<typeof openOutbox>[2] = {}): Outbox {
  const o = openOutbox(d, keys, extra);
  opened.push(o);
  return o;
}
function reopen(o: Outbox, d: string, extra: Parameters<typeof openOutbox>[2] = {}): Outbox {
  o.close();
  return open(d, extra);
}
const segments = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.journal'));

describe('outbox journal', () => {
  it('signs at first publish with seq +1 per message, on the right topics', () => {
    const d = dir();
    const o = open(d);
    o.enqueue('levels', batch(0, 10, () => 50));
    o.enqueue('event', { kind: 'incident', eventId: 'ev-1', at: '2026-11-20T22:00:05.000Z', source: 'button', clipIds: [] });
    o.enqueue('status', statusBody());
    const parts = o.take(10);
    expect(parts.map((p) => p.seq)).toEqual([0, 1, 2]);
    expect(parts.map((p) => p.topic)).toEqual([topics.levels(DEVICE), topics.event(DEVICE), topics.status(DEVICE)]);
    expect(parts.map((p) => openSigned(p.payload, keys.publicKey).type)).toEqual(['levels', 'event', 'status']);
    expect(o.take(10)).toEqual([]); // all in flight
  });

  it('refuses a body that does not match its schema, and journals nothing', () => {
    const o = open(dir());
    expect(() => o.enqueue('levels', { fullScaleDb: 120, records: [] })).toThrow(/EARSHOT_E_BODY_INVALID|does not match/);
    expect(o.stats().depth).toBe(0);
  });

  it('keeps seq across restarts, even when every older segment was deleted', () => {
    const d = dir();
    let o = open(d, { segmentBytes: 2048 });
    for (let i = 0; i < 30; i++) o.enqueue('levels', batch(i * 10, 10, () => 55));
    expect(drain(o).map((p) => p.seq)).toEqual([...Array(30).keys()]);
    expect(o.stats().depth).toBe(0);
    o = reopen(o, d, { segmentBytes: 2048 });
    expect(segments(d).length).toBe(1); // only the fresh segment: everything older was acked and deleted
    o.enqueue('levels', batch(300, 10, () => 55));
    expect(o.take(1)[0]!.seq).toBe(30);
  });

  it('after a restart holds exactly the un-acked messages and re-sends their identical signed bytes', () => {
    const d = dir();
    let o = open(d);
    for (let i = 0; i < 5; i++) o.enqueue('levels', batch(i * 10, 10, () => 60));
    const first = o.take(3);
    o.ack(first[1]!);
    o = reopen(o, d);
    expect(o.stats().depth).toBe(4);
    const again = o.take(10);
    expect(again.map((p) => p.seq)).toEqual([0, 2, 3, 4]);
    expect(again[0]!.payload.equals(first[0]!.payload)).toBe(true);
    expect(again[1]!.payload.equals(first[2]!.payload)).toBe(true);
    expect(o.stats().nextSeq).toBe(5);
  });

  it('truncates a torn tail, reports it, and keeps every whole record', () => {
    const d = dir();
    let o = open(d);
    for (let i = 0; i < 4; i++) o.enqueue('levels', batch(i * 10, 10, () => 60));
    o.close();
    const seg = join(d, segments(d).sort().at(-1)!);
    truncateSync(seg, statSync(seg).size - 7); // power cut in the middle of the 4th record
    appendFileSync(seg, randomBytes(3));
    o = open(d);
    expect(o.stats().tornTailBytes).toBeGreaterThan(0);
    expect(o.stats().errors).toEqual([]);
    const parts = drain(o);
    expect(parts.map((p) => (openSigned(p.payload, keys.publicKey).body as LevelsBody).records[0]!.t)).toEqual(
      [0, 1, 2].map((i) => batch(i * 10, 1, () => 0).records[0]!.t),
    );
    o = reopen(o, d);
    expect(o.stats().tornTailBytes).toBe(0);
  });

  it('survives garbage segment files without crashing, and reports damage before the last segment', () => {
    const d = dir();
    writeFileSync(join(d, 'seg-000000000001.journal'), randomBytes(5000));
    writeFileSync(join(d, 'seg-000000000002.journal'), randomBytes(5000));
    const o = open(d);
    expect(o.stats().errors.map((e) => e.code)).toEqual(['EARSHOT_E_JOURNAL_CORRUPT']);
    expect(o.stats().errors[0]!.detail).toMatch(/segment 1:/);
    expect(o.stats().tornTailBytes).toBe(5000);
    o.enqueue('levels', batch(0, 10, () => 50));
    expect(o.take(5).map((p) => p.seq)).toEqual([0]);
  });
});

describe('quota', () => {
  it('compacts queued 1 s levels energy-correctly and never drops events', () => {
    const d = dir();
    const quota = 160 * 1024;
    const o = open(d, { quotaBytes: quota, segmentBytes: 16 * 1024 });
    const levelOf = (s: number): number => 40 + 30 * Math.abs(Math.sin(s / 37)) + (s % 7);
    const seconds = 7_200; // 2 h of 1 s records: ≈ 4× the quota uncompacted
    let sumEnergy = 0;
    let maxLAFmax = -Infinity;
    for (let s = 0; s < seconds; s += 10) {
      const b = batch(s, 10, levelOf);
      for (const r of b.records) {
        sumEnergy += 10 ** (r.LAeq! / 10);
        maxLAFmax = Math.max(maxLAFmax, r.LAFmax!);
      }
      o.enqueue('levels', b);
      if (s % 600 === 0) o.enqueue('event', { kind: 'incident', eventId: `ev-${s}`, at: new Date().toISOString(), source: 'button', clipIds: [] });
      expect(o.stats().bytes).toBeLessThanOrEqual(quota);
    }
    const stats = o.stats();
    expect(stats.compactedRecords).toBeGreaterThan(seconds / 2);
    expect(StatusBody.shape.outbox.parse(outboxStatus(stats))).toEqual({ depth: stats.depth, bytes: stats.bytes, quotaBytes: quota, compactedRecords: stats.compactedRecords });
    expect(stats.overQuota).toBe(false);
    const bodies = drain(o).map((p) => openSigned(p.payload, keys.publicKey));
    const events = bodies.filter((b) => b.type === 'event');
    expect(events.length).toBe(12);
    const records = bodies.filter((b) => b.type === 'levels').flatMap((b) => (b.body as LevelsBody).records);
    // Every second is still accounted for, in order, without overlap.
    expect(records.reduce((a, r) => a + r.d, 0)).toBe(seconds);
    expect(records.reduce((a, r) => a + (r.n ?? 1), 0)).toBe(seconds);
    for (let i = 1; i < records.length; i++) expect(Date.parse(records[i]!.t)).toBe(Date.parse(records[i - 1]!.t) + records[i - 1]!.d * 1000);
    expect(records.some((r) => r.d > 1)).toBe(true);
    // Energy is conserved (to the 0.01 dB rounding of each merge): the 2 h LAeq is unchanged.
    const laeqBefore = 10 * Math.log10(sumEnergy / seconds);
    const laeqAfter = 10 * Math.log10(records.reduce((a, r) => a + r.d * 10 ** (r.LAeq! / 10), 0) / seconds);
    expect(Math.abs(laeqAfter - laeqBefore)).toBeLessThan(0.02);
    expect(Math.max(...records.map((r) => r.LAFmax!))).toBe(maxLAFmax);
  });
});

describe('quota reached by what is never dropped', () => {
  it('keeps every event past the quota and reports EARSHOT_E_JOURNAL_FULL', () => {
    const o = open(dir(), { quotaBytes: 4096, segmentBytes: 1024 });
    for (let i = 0; i < 40; i++) o.enqueue('event', { kind: 'incident', eventId: `ev-${i}`, at: '2026-11-20T23:00:00.000Z', source: 'button', clipIds: [] });
    expect(o.stats().overQuota).toBe(true);
    expect(o.stats().errors.map((e) => e.code)).toEqual(['EARSHOT_E_JOURNAL_FULL']);
    expect(drain(o).length).toBe(40);
    o.enqueue('levels', batch(0, 10, () => 50));
    expect(o.stats().errors).toEqual([]);
  });
});

describe('clips', () => {
  it('sends the manifest then raw chunks read from the file, and deletes it only after the last ack', async () => {
    const d = dir();
    const wav = join(dir(), 'clip-a1.wav');
    const bytes = randomBytes(CLIP_CHUNK_BYTES * 3 + 1234);
    writeFileSync(wav, bytes);
    const facts = await describeClipFile(wav);
    expect(facts.chunks).toBe(4);
    let o = open(d);
    await o.enqueueClip(wav, manifest(facts));
    const parts = o.take(3); // manifest and chunks 0, 1
    expect(parts.map((p) => p.chunk)).toEqual([-1, 0, 1]);
    expect(parts[0]!.topic).toBe(topics.clip(DEVICE));
    expect(parts[2]!.topic).toBe(topics.clipChunk(DEVICE, 'clip-a1', 1));
    o.ack(parts[0]!);
    o.ack(parts[2]!);
    // Restart mid-clip: only chunks 0, 2 and 3 remain.
    o = reopen(o, d);
    expect(o.stats().depth).toBe(3);
    expect(o.stats().clipBytes).toBe(bytes.length);
    const rest = o.take(10);
    expect(rest.map((p) => p.chunk)).toEqual([0, 2, 3]);
    const chunks = new Map([...parts.slice(1), ...rest].map((p) => [p.chunk, p.payload]));
    expect(Buffer.concat([0, 1, 2, 3].map((n) => chunks.get(n)!)).equals(bytes)).toBe(true);
    o.ack(rest[0]!);
    o.ack(rest[1]!);
    expect(existsSync(wav)).toBe(true);
    o.ack(rest[2]!);
    expect(existsSync(wav)).toBe(false);
    expect(o.stats().depth).toBe(0);
  });

  it('refuses a manifest that does not describe the file', async () => {
    const wav = join(dir(), 'clip-b.wav');
    writeFileSync(wav, randomBytes(1000));
    const facts = await describeClipFile(wav);
    const o = open(dir());
    await expect(o.enqueueClip(wav, { ...manifest(facts), sha256: '0'.repeat(64) })).rejects.toThrow(/does not match/);
  });
});

function manifest(f: { sha256: string; bytes: number; chunks: number; chunkBytes: number }) {
  return {
    clipId: 'clip-a1', eventId: 'ev-1', ...f, sampleRate: 48_000, channels: 1, bitsPerSample: 16 as const,
    fullScaleDb: 120, startedAt: '2026-11-20T22:00:00.000Z', durationSeconds: 1, preTriggerSeconds: 0.5, postTriggerSeconds: 0.5,
  };
}

function statusBody() {
  return {
    uptimeSeconds: 5, clock: { synced: null, offsetMs: null, source: 'none' },
    outbox: { depth: 0, bytes: 0, quotaBytes: 0, compactedRecords: 0 }, disk: null, temperatureC: null,
    mic: { state: 'unknown' as const, silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
    config: { version: null, lastReceived: null }, capture: { source: 'wav', restarts: 0, lastError: null },
  };
}
