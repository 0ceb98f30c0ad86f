/**
 * A real data folder for export tests: openIngest on a temp dir (SQLite, server
 * key, evidence log, cases), the real message pipeline fed signed device
 * messages, and helpers to read a bundle ZIP back. Clock injected.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SignedKind, signEnvelope, topics } from '@earshot/shared';
import { pino } from 'pino';
import { encodeWav } from '../../../firmware/src/audio/index.ts';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.ts';
import type { Outcome } from '../../src/pipeline/types.ts';
import { type Ingest, openIngest } from '../../src/service/open-ingest.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface ExportFixture {
  readonly root: string;
  readonly ingest: Ingest;
  readonly pipeline: Pipeline;
  clock: number;
  device(id: string): TestDevice;
  temp(): string;
  close(): void;
}

export interface TestDevice {
  readonly id: string;
  send(type: SignedKind, body: unknown, sentAtMs: number): Outcome;
  /** 1 s records from `from` (ms), `n` of them, every LAeq `laeq`, in batches of 600. */
  levels(from: number, n: number, laeq: number): void;
  heartbeat(atMs: number, clock: { synced: boolean | null; offsetMs: number | null }): void;
  /** An event (started + ended) with one clip (unless `clip` is false); returns the event id and clip sha256. */
  event(o: { startMs: number; seconds: number; laeq: number; ruleId?: string; ruleType?: string; threshold?: number; tone: number; clip?: boolean; clipSeconds?: number }): Promise<{ eventId: string; clipId: string; sha256: string }>;
  /** A 'started' message only: an event still open. */
  started(o: { startMs: number; level: number; ruleId?: string; ruleType?: string; threshold?: number }): string;
  incident(atMs: number): string;
  /** A signed gap record: what the monitor could not keep over [fromMs, toMs). */
  gap(o: { fromMs: number; toMs: number; what?: 'levels' | 'clip'; reason?: 'storage-full' | 'write-error' }): string;
}

export function makeExportFixture(start: number): ExportFixture {
  const root = mkdtempSync(join(tmpdir(), 'earshot-export-'));
  const temps: string[] = [];
  const f: ExportFixture = {
    root,
    clock: start,
    ingest: openIngest(join(root, 'data'), () => f.clock),
    pipeline: undefined as unknown as Pipeline,
    device: (id) => makeDevice(f, id),
    temp() {
      const d = mkdtempSync(join(tmpdir(), 'earshot-export-out-'));
      temps.push(d);
      return d;
    },
    close() {
      f.ingest.close();
      for (const d of [root, ...temps]) rmSync(d, { recursive: true, force: true });
    },
  };
  (f as { pipeline: Pipeline }).pipeline = createPipeline({
    db: f.ingest.db,
    dataDir: f.ingest.dir.root,
    pinnedKey: (id) => f.ingest.registry.publicKey(id),
    attacher: f.ingest.attacher,
    log: f.ingest.log,
    alert: () => undefined,
    logger: pino({ level: 'silent' }),
  });
  return f;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function makeDevice(f: ExportFixture, id: string): TestDevice {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  f.ingest.registry.add(id, { publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() });
  let seq = 0;
  const key: KeyObject = privateKey;
  const topicOf = (type: SignedKind): string => ({ levels: topics.levels(id), event: topics.event(id), clip: topics.clip(id), status: topics.status(id) })[type];
  const send = (type: SignedKind, body: unknown, sentAtMs: number): Outcome => {
    const payload = signEnvelope({ v: 1, device: id, seq: seq++, sentAt: iso(sentAtMs), type, body }, key);
    const out = f.pipeline.process({ topic: topicOf(type), payload, clientId: id, receivedAt: sentAtMs + 200 });
    if (out.status !== 'stored') throw new Error(`${type} not stored: ${JSON.stringify(out)}`);
    return out;
  };
  return {
    id,
    send,
    levels(from, n, laeq) {
      for (let i = 0; i < n; i += 600) {
        const records = [];
        for (let k = i; k < Math.min(n, i + 600); k++) {
          records.push({ t: iso(from + k * 1000), d: 1, LAeq: laeq, LCeq: laeq + 8, LZeq: laeq + 10, LAFmax: laeq + 6, LAFmin: laeq - 3, LASmax: laeq + 3, LCpeak: laeq + 25 });
        }
        send('levels', { fullScaleDb: 120, records }, from + Math.min(n, i + 600) * 1000);
      }
    },
    heartbeat(atMs, clock) {
      send('status', {
        uptimeSeconds: 100, clock: { ...clock, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1_000_000, compactedRecords: 0 }, disk: null, temperatureC: null,
        mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120, config: { version: null, lastReceived: null }, capture: { source: 'alsa', restarts: 0, lastError: null },
      }, atMs);
    },
    async event(o) {
      const eventId = `${id}-${o.startMs}-${o.ruleId ?? 'noise-act-night'}`;
      const rule = { ruleId: o.ruleId ?? 'noise-act-night', ruleType: o.ruleType ?? 'noise-act-night' };
      const threshold = o.threshold ?? 34;
      const endMs = o.startMs + o.seconds * 1000;
      const clipId = `clip-${o.startMs}`;
      send('event', { kind: 'started', eventId, ...rule, startedAt: iso(o.startMs), level: o.laeq, threshold }, o.startMs);
      send('event', {
        kind: 'ended', eventId, ...rule, startedAt: iso(o.startMs), endedAt: iso(endMs), durationSeconds: o.seconds, LAeq: o.laeq, LAFmax: o.laeq + 12,
        LCminusLA: 6, backgroundLAF90: 22, threshold, clipIds: o.clip === false ? [] : [clipId],
      }, endMs);
      if (o.clip === false) return { eventId, clipId: '', sha256: '' };
      const samples = new Float64Array(8_000).map((_, n) => 0.2 * Math.sin((2 * Math.PI * o.tone * n) / 8_000));
      const wav = encodeWav(samples, { encoding: 'int', bitsPerSample: 16, sampleRate: 8_000 });
      const sha256 = createHash('sha256').update(wav).digest('hex');
      const chunkBytes = 4096;
      const chunks = Math.ceil(wav.length / chunkBytes);
      for (let n = 0; n < chunks; n++) {
        const out = f.pipeline.process({ topic: topics.clipChunk(id, clipId, n), payload: wav.subarray(n * chunkBytes, (n + 1) * chunkBytes), clientId: id, receivedAt: endMs });
        if (out.status !== 'chunk-stored') throw new Error(`chunk not stored: ${JSON.stringify(out)}`);
      }
      send('clip', {
        clipId, eventId, sha256, bytes: wav.length, chunks, chunkBytes, sampleRate: 8_000, channels: 1, bitsPerSample: 16, fullScaleDb: 120,
        startedAt: iso(o.startMs), durationSeconds: o.clipSeconds ?? 1, preTriggerSeconds: 0.5, postTriggerSeconds: 0.5,
      }, endMs + 1000);
      // Reassembly runs after the message's transaction (pipeline.ts).
      await new Promise((r) => setImmediate(r));
      const state = f.pipeline.clips.report(id, clipId).state;
      if (state !== 'complete') throw new Error(`clip ${clipId} is ${state}`);
      return { eventId, clipId, sha256 };
    },
    started(o) {
      const eventId = `${id}-${o.startMs}-${o.ruleId ?? 'noise-act-night'}`;
      send('event', { kind: 'started', eventId, ruleId: o.ruleId ?? 'noise-act-night', ruleType: o.ruleType ?? 'noise-act-night', startedAt: iso(o.startMs), level: o.level, threshold: o.threshold ?? 34 }, o.startMs);
      return eventId;
    },
    gap(o) {
      const eventId = `${id}-${o.fromMs}-gap`;
      send('event', { kind: 'gap', eventId, what: o.what ?? 'levels', from: iso(o.fromMs), to: iso(o.toMs), reason: o.reason ?? 'storage-full', clipIds: [] }, o.toMs);
      return eventId;
    },
    incident(atMs) {
      const eventId = `${id}-${atMs}-button`;
      send('event', { kind: 'incident', eventId, at: iso(atMs), source: 'button', clipIds: [] }, atMs);
      return eventId;
    },
  };
}
