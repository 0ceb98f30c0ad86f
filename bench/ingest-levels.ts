/**
 * Level records stored per second (issue 4): the SQLite store alone, with the
 * levels table keyed time-first (as shipped) and device-first, each with one
 * transaction per 10-record message and with group commit; then the full
 * path: real broker, real mqtt clients over TCP, signed envelopes, QoS 1,
 * verify → validate → dedupe → store, PUBACK after commit.
 * Each variant runs in its own process. Run: npx tsx bench/ingest-levels.ts
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LevelsBody, signEnvelope, topics } from '@earshot/shared';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { startBroker } from '../ingest/src/broker/server.ts';
import { openDatabase } from '../ingest/src/db/open.ts';
import { devicesMigrations } from '../ingest/src/devices/migrations.ts';
import { createDeviceRegistry } from '../ingest/src/devices/registry.ts';
import { createPipeline } from '../ingest/src/pipeline/pipeline.ts';
import { createLevelsWriter } from '../ingest/src/store/levels.ts';
import { storeMigrations } from '../ingest/src/store/migrations.ts';

const RECORDS = 10; // DESIGN §4: 1 s records batched per 10 s
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

function batch(start: number): LevelsBody {
  const records = [];
  for (let i = 0; i < RECORDS; i++) records.push({ t: new Date(start + i * 1000).toISOString(), d: 1, LAeq: 40 + (i % 7), LCeq: 50.2, LZeq: 55.1, LAFmax: 47.3, LAFmin: 38.9, LASmax: 44.4, LCpeak: 70.5 });
  return { fullScaleDb: 120, records };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'earshot-bench-'));
}

/** Store alone: `devices` devices interleaved, `rounds` messages each, `perTx` messages per transaction. */
function storeAlone(keyOrder: 't-first' | 'device-first', perTx: number, devices: number, rounds: number): number {
  const dir = tempDir();
  const rekey = keyOrder === 'device-first'
    ? [{ name: 'bench-rekey', sql: 'DROP TABLE levels; CREATE TABLE levels (t INTEGER NOT NULL, device TEXT NOT NULL, d REAL NOT NULL, laeq REAL, lceq REAL, lzeq REAL, lafmax REAL, lafmin REAL, lasmax REAL, lcpeak REAL, clipped INTEGER, silent INTEGER NOT NULL, n INTEGER, full_scale_db REAL NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (device, t)) STRICT, WITHOUT ROWID' }]
    : [];
  const db = openDatabase(join(dir, 'earshot.db'), [...storeMigrations, ...rekey]);
  const w = createLevelsWriter(db);
  const ids = Array.from({ length: devices }, (_, i) => `device-${String(i).padStart(5, '0')}`);
  const bodies = Array.from({ length: rounds }, (_, r) => batch(T0 + r * RECORDS * 1000));
  const tx = db.transaction((r: number, from: number, to: number) => {
    for (let d = from; d < to; d++) w.write(ids[d]!, r, bodies[r]!);
  });
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (let d = 0; d < devices; d += perTx) tx(r, d, Math.min(devices, d + perTx));
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return (devices * rounds * RECORDS) / seconds;
}

/** Full path over TCP: `devices` clients, each publishing `messages` signed level batches at QoS 1 with up to `inflight` un-acked. */
async function fullPipeline(devices: number, messages: number, inflight: number): Promise<{ perSecond: number; p99Ms: number }> {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'earshot.db'), [...storeMigrations, ...devicesMigrations]);
  const registry = createDeviceRegistry(db);
  const logger = pino({ level: 'silent' });
  const pipeline = createPipeline({ db, dataDir: dir, pinnedKey: (id) => registry.publicKey(id), attacher: { attach: () => ({ caseRef: null }) }, log: { append: () => ({ leafIndex: 0 }) }, alert: () => undefined, logger });
  const broker = await startBroker({ registry, pipeline, logger, port: 0, rate: { burst: 1e9, perSecond: 1e9 } });
  const payloads: Buffer[][] = [];
  const secrets: string[] = [];
  for (let d = 0; d < devices; d++) {
    const id = `device-${String(d).padStart(5, '0')}`;
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    secrets.push(registry.add(id, { publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() }).secret);
    payloads.push(Array.from({ length: messages }, (_, s) => signEnvelope({ v: 1, device: id, seq: s, sentAt: new Date().toISOString(), type: 'levels', body: batch(T0 + s * RECORDS * 1000) }, privateKey)));
  }
  const clients = await Promise.all(payloads.map((_, d) => mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `device-${String(d).padStart(5, '0')}`, username: `device-${String(d).padStart(5, '0')}`, password: secrets[d]!, protocolVersion: 4, clean: false, reconnectPeriod: 0 })));
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(clients.map((c, d) => new Promise<void>((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const topic = topics.levels(c.options.clientId!);
    const next = (): void => {
      const at = performance.now();
      c.publish(topic, payloads[d]![sent++]!, { qos: 1 }, (err) => {
        if (err) return reject(err);
        latencies.push(performance.now() - at);
        if (++acked === messages) return resolve();
        if (sent < messages) next();
      });
    };
    for (let i = 0; i < Math.min(inflight, messages); i++) next();
  })));
  const seconds = (performance.now() - t0) / 1000;
  const stored = (db.prepare('SELECT count(*) AS n FROM levels').get() as { n: number }).n;
  if (stored !== devices * messages * RECORDS) throw new Error(`stored ${stored} of ${devices * messages * RECORDS} records`);
  await Promise.all(clients.map((c) => c.endAsync()));
  await broker.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return { perSecond: stored / seconds, p99Ms: latencies[Math.floor(latencies.length * 0.99)]! };
}

const variant = process.argv[2];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');
if (variant === undefined) {
  for (const v of ['store:t-first:1', 'store:device-first:1', 'store:t-first:200', 'store:device-first:200', 'pipeline']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), v], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
  }
} else if (variant === 'pipeline') {
  const devices = 50;
  const messages = 100;
  const r = await fullPipeline(devices, messages, 10);
  console.log(`ingest levels, full path (broker + ${devices} mqtt clients over TCP, signed, QoS 1, PUBACK after commit): ${fmt(r.perSecond)} records/s (${fmt(r.perSecond / RECORDS)} messages/s), p99 publish→PUBACK ${r.p99Ms.toFixed(1)} ms`);
} else {
  const [, order, perTx] = variant.split(':') as [string, 't-first' | 'device-first', string];
  const n = Number(perTx);
  // One message per transaction is bounded by fsync (synchronous=FULL): fewer rounds keep it short.
  // The disk is shared (fsync times vary): the median of three runs, each on a fresh database.
  const runs = [0, 1, 2].map(() => storeAlone(order, n, 2_000, n === 1 ? 2 : 60)).sort((a, b) => a - b);
  console.log(`ingest levels, store alone, key ${order === 't-first' ? '(t, device)' : '(device, t)'}, ${n} message(s) of ${RECORDS} records per transaction, 2 000 devices interleaved: ${fmt(runs[1]!)} records/s (median of 3; range ${fmt(runs[0]!)}–${fmt(runs[2]!)})`);
}
