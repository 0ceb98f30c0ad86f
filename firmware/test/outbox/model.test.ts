/**
 * Randomised check of the outbox against a model: enqueues, takes, acks in any
 * order, restarts (in-flight lost), with a small quota and small segments so
 * rolls, compaction and segment rewriting all happen. Afterwards: every level
 * second enqueued is delivered exactly once (deduplicated by seq, as the
 * ingest does), every event exactly once, and no seq was ever signed with two
 * different byte strings; clips (files) are among the messages and every one
 * reassembles from its chunks and is deleted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LevelsBody } from '@earshot/shared';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics, type ClipManifest } from '@earshot/shared';
import { describeClipFile, type ClipFileFacts, type OutgoingPart } from '../../src/outbox/index.ts';
import { batch, DEVICE, drain, makeKeys, openOutbox, openSigned, T0, tempDir } from './helpers.ts';

const keys = makeKeys();
const tmp = tempDir('model');
afterAll(() => tmp.cleanup());

/** Park–Miller minimal standard generator (CACM 31(10), 1988): a reproducible sequence. */
function prng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48_271) % 2_147_483_647) / 2_147_483_647;
}

describe('outbox model check', () => {
  for (const seed of [1, 2, 3]) {
    it(`delivers everything exactly once after dedupe (seed ${seed})`, async () => {
      const random = prng(seed);
      const dir = `${tmp.dir}/s${seed}`;
      const opts = { quotaBytes: 64 * 1024, segmentBytes: 8 * 1024 };
      let o = openOutbox(dir, keys, opts);
      const signedBytes = new Map<number, Buffer>();
      const delivered = new Map<number, Buffer>();
      let inFlight: OutgoingPart[] = [];
      let nextSecond = 0;
      let events = 0;
      let compacted = 0;
      const clips = new Map<string, { path: string; bytes: Buffer }>();
      const chunks = new Map<string, Buffer>();
      const deliver = (p: OutgoingPart): void => {
        if (p.seq === null) chunks.set(p.topic, p.payload);
        else delivered.set(p.seq, p.payload);
      };
      const seen = (p: OutgoingPart): void => {
        if (p.seq === null) return;
        const before = signedBytes.get(p.seq);
        if (before !== undefined) expect(p.payload.equals(before)).toBe(true);
        signedBytes.set(p.seq, p.payload);
      };
      for (let step = 0; step < 1200; step++) {
        const r = random();
        if (r < 0.6) {
          o.enqueue('levels', batch(nextSecond, 10, (s) => 35 + (s % 40)));
          nextSecond += 10;
        } else if (r < 0.62) {
          const clipId = `clip-${clips.size}`;
          const bytes = randomBytes(1000 + Math.floor(random() * 4000));
          const path = join(dir, `${clipId}.wav`);
          writeFileSync(path, bytes);
          clips.set(clipId, { path, bytes });
          const facts = await describeClipFile(path, 1024);
          await o.enqueueClip(path, clipManifest(clipId, facts));
        } else if (r < 0.64) {
          o.enqueue('event', { kind: 'incident', eventId: `ev-${events++}`, at: '2026-11-20T23:00:00.000Z', source: 'button', clipIds: [] });
        } else if (r < 0.7) {
          for (const p of o.take(1 + Math.floor(random() * 8))) {
            seen(p);
            inFlight.push(p);
          }
        } else if (r < 0.98) {
          const keep: OutgoingPart[] = [];
          for (const p of inFlight) {
            if (random() < 0.6) {
              o.ack(p);
              deliver(p);
            } else keep.push(p);
          }
          inFlight = keep;
        } else {
          compacted += o.stats().compactedRecords;
          o.close(); // restart: whatever was in flight is un-acked and comes again
          o = openOutbox(dir, keys, opts);
          inFlight = [];
        }
      }
      for (const p of inFlight) o.release(p);
      for (const p of drain(o)) {
        seen(p);
        deliver(p);
      }
      expect(compacted + o.stats().compactedRecords).toBeGreaterThan(1000);
      o.close();
      expect([...delivered.keys()].sort((a, b) => a - b)).toEqual([...Array(delivered.size).keys()]);
      const covered = new Uint8Array(nextSecond);
      const eventIds: string[] = [];
      const manifests: string[] = [];
      for (const payload of delivered.values()) {
        const m = openSigned(payload, keys.publicKey);
        if (m.type === 'event') eventIds.push((m.body as { eventId: string }).eventId);
        else if (m.type === 'clip') manifests.push((m.body as ClipManifest).clipId);
        else for (const rec of (m.body as LevelsBody).records) for (let s = 0; s < rec.d; s++) covered[(Date.parse(rec.t) - T0) / 1000 + s]!++;
      }
      expect(covered.every((c) => c === 1)).toBe(true);
      expect(eventIds.sort()).toEqual(Array.from({ length: events }, (_, i) => `ev-${i}`).sort());
      expect(manifests.sort()).toEqual([...clips.keys()].sort());
      expect(clips.size).toBeGreaterThan(5);
      for (const [clipId, clip] of clips) {
        const parts: Buffer[] = [];
        for (let n = 0; n < Math.ceil(clip.bytes.length / 1024); n++) parts.push(chunks.get(topics.clipChunk(DEVICE, clipId, n))!);
        expect(Buffer.concat(parts).equals(clip.bytes)).toBe(true);
        expect(existsSync(clip.path)).toBe(false);
      }
    });
  }
});

function clipManifest(clipId: string, f: ClipFileFacts): ClipManifest {
  return {
    clipId, eventId: 'ev-x', ...f, sampleRate: 8_000, channels: 1, bitsPerSample: 16, fullScaleDb: 120,
    startedAt: '2026-11-20T23:00:00.000Z', durationSeconds: 0.25, preTriggerSeconds: 0, postTriggerSeconds: 0,
  };
}
