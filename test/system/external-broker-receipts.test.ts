/**
 * The reason for stored receipts (DESIGN §4): through an external broker — a
 * real mosquitto 2.0 configured by `earshot broker config mosquitto` — a monitor
 * gets PUBACKs while no ingest stores anything. Its journal keeps every message
 * until a receipt signed with the server key covers it, then drops exactly those;
 * a receipt signed with another key changes nothing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeReceipt, topics } from '@earshot/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Outbox } from '../../firmware/src/outbox/index.ts';
import { Uplink } from '../../firmware/src/uplink/index.ts';
import { createDeviceCommand, DYNSEC_CONTROL, SHARED_FILTER } from '../../ingest/src/broker-config/mosquitto.ts';

const EARSHOT = join(dirname(fileURLToPath(import.meta.url)), '../../ingest/bin/earshot.js');
const ID = 'flat-9-monitor';
const SECRET = 'flat-9-secret-of-enough-length';
const T0 = Date.parse('2026-11-20T22:00:00.000Z');
const server = generateKeyPairSync('ed25519');
const device = generateKeyPairSync('ed25519');
let dir: string;
let port: number;
let broker: ChildProcess;
let ingest: MqttClient;
const received: string[] = [];

const waitFor = (cond: () => boolean, timeout = 20_000): Promise<void> =>
  vi.waitFor(() => {
    if (!cond()) throw new Error('not yet');
  }, { timeout, interval: 20 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-external-'));
  port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  execFileSync(process.execPath, [EARSHOT, 'broker', 'config', 'mosquitto', '--port', String(port), '--host', '127.0.0.1', '--out', join(dir, 'broker')]);
  const account = JSON.parse(readFileSync(join(dir, 'broker', 'ingest-account.json'), 'utf8')) as { username: string; password: string };
  broker = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'broker', 'mosquitto.conf')], { stdio: 'ignore' });
  ingest = await vi.waitFor(() => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'earshot-ingest-1', username: account.username, password: account.password, protocolVersion: 4, reconnectPeriod: 0 }), { timeout: 15_000, interval: 100 });
  await ingest.subscribeAsync([`${DYNSEC_CONTROL}/response`, SHARED_FILTER], { qos: 1 });
  const created = new Promise<void>((resolve) => ingest.once('message', () => resolve()));
  await ingest.publishAsync(DYNSEC_CONTROL, JSON.stringify(createDeviceCommand(ID, SECRET)), { qos: 1 });
  await created;
  // An ingest that receives but never stores: it only counts what the broker hands it.
  ingest.on('message', (topic) => {
    if (topic === topics.levels(ID)) received.push(topic);
  });
}, 30_000);

afterAll(async () => {
  await ingest?.endAsync(true).catch(() => undefined);
  if (broker?.exitCode === null) {
    const gone = new Promise((r) => broker.once('exit', r));
    broker.kill('SIGTERM');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
});

function levels(i: number) {
  const records = [];
  for (let s = 0; s < 10; s++) records.push({ t: new Date(T0 + (i * 10 + s) * 1000).toISOString(), d: 1, LAeq: 50, LCeq: 55, LZeq: 58, LAFmax: 53, LAFmin: 46, LASmax: 51, LCpeak: 70 });
  return { fullScaleDb: 120, records };
}

describe('stored receipts through mosquitto', () => {
  it('keeps what the broker PUBACKed until the ingest receipts it', async () => {
    const outbox = Outbox.open({ dir: join(dir, 'outbox'), deviceId: ID, privateKey: device.privateKey });
    const uplink = new Uplink({
      url: `mqtt://127.0.0.1:${port}`, deviceId: ID, secret: SECRET, outbox, maxInFlight: 8, backoff: { initialMs: 20, maxMs: 200 },
      receipts: { serverKey: server.publicKey, syncMs: 100 },
    });
    uplink.start();
    try {
      for (let i = 0; i < 6; i++) uplink.enqueue('levels', levels(i));
      await waitFor(() => received.length === 6 && uplink.status().inFlight === 0);
      expect(outbox.stats().depth).toBe(6); // PUBACKed by mosquitto, stored nowhere: all kept
      await ingest.publishAsync(topics.receipt(ID), encodeReceipt(ID, 5, new Date(), generateKeyPairSync('ed25519').privateKey), { qos: 1, retain: true });
      await waitFor(() => uplink.status().receipts?.forged === 1);
      expect(outbox.stats().depth).toBe(6);
      await ingest.publishAsync(topics.receipt(ID), encodeReceipt(ID, 3, new Date(), server.privateKey), { qos: 1, retain: true });
      await waitFor(() => outbox.stats().depth === 2);
      await ingest.publishAsync(topics.receipt(ID), encodeReceipt(ID, 5, new Date(), server.privateKey), { qos: 1, retain: true });
      await waitFor(() => outbox.stats().depth === 0);
      expect(uplink.status().receipts).toEqual({ stored: 5, forged: 1, replayed: 0 });
    } finally {
      await uplink.stop();
      outbox.close();
    }
  });
});
