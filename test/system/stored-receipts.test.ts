/**
 * Stored receipts end to end in the embedded topology (DESIGN §4): the real
 * `earshot serve` service (aedes broker, pipeline, SQLite) and the monitor's
 * real outbox and uplink over TCP. A monitor that cannot check the receipts
 * (provisioned with another server key) keeps everything, counts the receipts
 * as forged and resends; restarted with the right key it resends what is
 * unreceipted, drops it on the receipt, and the ingest holds each seq once.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Outbox } from '../../firmware/src/outbox/index.ts';
import { Uplink } from '../../firmware/src/uplink/index.ts';
import { serve, type RunningService } from '../../ingest/src/service/serve.ts';
import { loadSettings } from '../../ingest/src/service/settings.ts';

const ID = 'flat-7-monitor';
const T0 = Date.parse('2026-11-20T22:00:00.000Z');
const quiet = pino({ level: 'silent' });
let dir: string;
let service: RunningService;
let secret: string;
const device = generateKeyPairSync('ed25519');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-receipts-e2e-'));
  const settings = loadSettings(undefined);
  settings.mqtt = { host: '127.0.0.1', port: 0 };
  service = await serve({ dataDir: join(dir, 'data'), settings, logger: quiet, env: {} });
  ({ secret } = service.ingest.registry.add(ID, { publicKeyPem: device.publicKey.export({ format: 'pem', type: 'spki' }).toString() }));
});
afterAll(async () => {
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = (cond: () => boolean, timeout = 20_000): Promise<void> =>
  vi.waitFor(() => {
    if (!cond()) throw new Error('not yet');
  }, { timeout, interval: 20 });

function levels(i: number) {
  const records = [];
  for (let s = 0; s < 10; s++) records.push({ t: new Date(T0 + (i * 10 + s) * 1000).toISOString(), d: 1, LAeq: 50, LCeq: 55, LZeq: 58, LAFmax: 53, LAFmin: 46, LASmax: 51, LCpeak: 70 });
  return { fullScaleDb: 120, records };
}

function monitor(serverKeyPem: string, timeoutMs: number): { outbox: Outbox; uplink: Uplink } {
  const outbox = Outbox.open({ dir: join(dir, 'outbox'), deviceId: ID, privateKey: device.privateKey });
  const uplink = new Uplink({
    url: `mqtt://127.0.0.1:${service.mqttPort}`, deviceId: ID, secret, outbox, maxInFlight: 8, backoff: { initialMs: 20, maxMs: 200 },
    receipts: { serverKey: createPublicKey(serverKeyPem), timeoutMs, syncMs: 100 },
  });
  uplink.start();
  return { outbox, uplink };
}

const count = (sql: string): number => (service.ingest.db.prepare(sql).get(ID) as { n: number }).n;

describe('stored receipts with the embedded broker', () => {
  it('keeps what it cannot see receipted, resends it, and stores each seq once', async () => {
    const wrongKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    let m = monitor(wrongKey, 300);
    for (let i = 0; i < 20; i++) m.uplink.enqueue('levels', levels(i));
    await waitFor(() => count('SELECT count(*) AS n FROM messages WHERE device = ?') === 20);
    // Stored and receipted by the ingest, but the receipts do not verify with the key this monitor holds: all kept, all counted.
    await waitFor(() => (m.uplink.status().receipts?.forged ?? 0) > 0 && m.uplink.status().resent > 0);
    expect(m.outbox.stats().depth).toBe(20);
    expect(m.uplink.status().receipts?.stored).toBeNull();
    await m.uplink.stop();
    m.outbox.close();

    // Restarted with the server's real key (as provisioning writes it): the retained receipt and the resends empty the journal.
    m = monitor(service.ingest.serverKey.publicKeyPem, 60_000);
    for (let i = 20; i < 25; i++) m.uplink.enqueue('levels', levels(i));
    await waitFor(() => m.outbox.stats().depth === 0);
    expect(m.uplink.status().receipts).toMatchObject({ stored: 24, forged: 0, replayed: 0 });
    await m.uplink.stop();
    m.outbox.close();

    expect(count('SELECT count(*) AS n FROM messages WHERE device = ?')).toBe(25);
    expect(count('SELECT count(DISTINCT seq) AS n FROM messages WHERE device = ?')).toBe(25);
    expect(count('SELECT count(*) AS n FROM levels WHERE device = ?')).toBe(250);
    expect(count("SELECT count(*) AS n FROM quarantine WHERE device = ?")).toBe(0);
  });
});
