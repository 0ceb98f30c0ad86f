/** A real ingest for tests: SQLite in a temp dir, registry, pipeline, optionally the broker on 127.0.0.1:0. */
import type { EvidenceLeaf } from '../../../src/evidence/leaf.ts';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Envelope, type SignedKind, signEnvelope } from '@earshot/shared';
import { pino } from 'pino';
import { type Db, openDatabase } from '../../../src/db/open.ts';
import { devicesMigrations } from '../../../src/devices/migrations.ts';
import { createDeviceRegistry, type DeviceRegistry } from '../../../src/devices/registry.ts';
import { createPipeline, type Pipeline } from '../../../src/pipeline/pipeline.ts';
import type { AlertEvent, AttachRequest, Incoming } from '../../../src/pipeline/types.ts';
import { storeMigrations } from '../../../src/store/migrations.ts';

export const migrations = [...storeMigrations, ...devicesMigrations];
export const quiet = pino({ level: 'silent' });

export interface Fixture {
  dir: string;
  file: string;
  db: Db;
  registry: DeviceRegistry;
  pipeline: Pipeline;
  leaves: EvidenceLeaf[];
  alerts: AlertEvent[];
  attachRequests: AttachRequest[];
  /** Set to make attach throw (a failure inside the transaction), or take long (slow storage). */
  attachFails: { on: boolean; delayMs?: number };
  close(): void;
}

export function makeFixture(opts: { maxPayloadBytes?: number; quotas?: { quarantineBytesPerDevice?: number; orphanChunkBytesPerDevice?: number }; workers?: number } = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-ingest-'));
  const file = join(dir, 'earshot.db');
  const db = openDatabase(file, migrations);
  const registry = createDeviceRegistry(db);
  const leaves: EvidenceLeaf[] = [];
  const alerts: AlertEvent[] = [];
  const attachRequests: AttachRequest[] = [];
  const attachFails: Fixture['attachFails'] = { on: false };
  const pipeline = createPipeline({
    db,
    dataDir: dir,
    pinnedKey: (id) => registry.publicKey(id),
    pinning: { pin: (id, pem) => registry.pinPublicKey(id, pem), forget: (id) => registry.forgetCachedKey(id) },
    attacher: {
      attach(req) {
        if (attachFails.on) throw new Error('attach exploded');
        const until = Date.now() + (attachFails.delayMs ?? 0);
        while (Date.now() < until); // storage that takes its time, holding the transaction open
        attachRequests.push(req);
        return req.deviceId === 'dev-1' ? { caseRef: 'CASE-1' } : { caseRef: null, reason: 'no deployment' };
      },
    },
    log: { append: (leaf) => ({ leafIndex: leaves.push(leaf) - 1 }) },
    alert: (e) => alerts.push(e),
    logger: quiet,
    ...(opts.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: opts.maxPayloadBytes }),
    ...(opts.quotas === undefined ? {} : { quotas: opts.quotas }),
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
  });
  return {
    dir, file, db, registry, pipeline, leaves, alerts, attachRequests, attachFails,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDevice {
  id: string;
  secret: string;
  privateKey: KeyObject;
  publicKeyPem: string;
  seq: number;
  sign(type: SignedKind, body: unknown, seq?: number): Buffer;
  /** Signs with another key (a forger holding the device's secret). */
  signWith(key: KeyObject, type: SignedKind, body: unknown, seq?: number): Buffer;
}

export function addDevice(f: Fixture, id: string, pin = true): TestDevice {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const { secret } = f.registry.add(id, pin ? { publicKeyPem: pem } : {});
  const d: TestDevice = {
    id, secret, privateKey, publicKeyPem: pem, seq: 0,
    sign(type, body, seq) {
      return d.signWith(privateKey, type, body, seq);
    },
    signWith(key, type, body, seq?: number) {
      const env: Envelope<unknown> = { v: 1, device: id, seq: seq ?? d.seq++, sentAt: new Date().toISOString(), type, body };
      return signEnvelope(env, key);
    },
  };
  return d;
}

export function incoming(topic: string, payload: Buffer, clientId: string | null): Incoming {
  return { topic, payload, clientId, receivedAt: Date.now() };
}

const T0 = Date.parse('2026-11-24T22:00:00.000Z');

export function levelsBody(start = T0, n = 10) {
  const records = [];
  for (let i = 0; i < n; i++) {
    records.push({ t: new Date(start + i * 1000).toISOString(), d: 1, LAeq: 40 + i, LCeq: 50, LZeq: 55, LAFmax: 45, LAFmin: 38, LASmax: 44, LCpeak: 70 });
  }
  return { fullScaleDb: 120, records };
}

export function statusBody(clock: { synced: boolean | null; offsetMs: number | null }) {
  return {
    uptimeSeconds: 100,
    clock: { ...clock, source: 'chrony' },
    outbox: { depth: 0, bytes: 0, quotaBytes: 1_000_000, compactedRecords: 0 },
    disk: null,
    temperatureC: null,
    mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 },
    fullScaleDb: 120,
    config: { version: null, lastReceived: null },
    capture: { source: 'wav', restarts: 0, lastError: null },
  };
}

export function startedBody(eventId = 'ev-1', at = T0) {
  return { kind: 'started', eventId, ruleId: 'r1', ruleType: 'threshold', startedAt: new Date(at).toISOString(), level: 70, threshold: 65 };
}

export function clipManifest(clipId: string, wav: Buffer, sha256: string, chunkBytes: number) {
  return {
    clipId, eventId: 'ev-1', sha256, bytes: wav.length, chunks: Math.ceil(wav.length / chunkBytes), chunkBytes,
    sampleRate: 48_000, channels: 1, bitsPerSample: 16, fullScaleDb: 120, startedAt: new Date(T0).toISOString(),
    durationSeconds: 1, preTriggerSeconds: 0.5, postTriggerSeconds: 0.5,
  };
}

export function count(db: Db, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Deterministic bytes standing in for a WAV file. */
export function clipBytes(n: number, k: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * k) & 0xff;
  return b;
}
