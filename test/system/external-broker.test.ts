/**
 * External broker mode (DESIGN §8) across real processes: Debian's mosquitto
 * 2.0 configured by `earshot broker config mosquitto`, `earshot serve` with
 * EARSHOT_BROKER_URL's settings (no embedded broker), device accounts made and
 * switched by `earshot device add/disable/enable`, and real device clients —
 * `earshot-device run` replaying a WAV, the monitor's own outbox and uplink,
 * and plain MQTT clients for what a device may not do.
 */
import type { ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openReceipt, signEnvelope, topics } from '@earshot/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../firmware/src/outbox/index.ts';
import { Uplink } from '../../firmware/src/uplink/index.ts';
import {
  cli, cliOk, EARSHOT, freePort, openCaseWithDeployment, provisionDevice, query, type Sandbox, sandbox, slamWav, startDevice, startLoggingServe, stop, TEST_SETTINGS, waitFor,
} from './harness.ts';
import { type Mosquitto, mosquitto } from '../support/mosquitto.ts';

let box: Sandbox;
let broker: Mosquitto;
/** The same rules, without the broker: a command that changes only the registry. */
let plainSettings: string;
let httpPort: number;
const children: ChildProcess[] = [];
const clients: MqttClient[] = [];

interface Serve {
  child: ChildProcess;
  http: string;
  stdout(): string;
}

/** `earshot serve` in broker mode, its JSON log kept (info level) to read the roles from and to search for secrets. */
async function startServe(): Promise<Serve> {
  const s = await startLoggingServe(box, ['--http-port', String(httpPort)], /devices: (mqtt:\/\/\S+), officers: (http:\/\/\S+\/)/, {}, 30_000);
  children.push(s.child);
  expect(s.match[1]).toBe(broker.url);
  return { child: s.child, http: s.match[2]!, stdout: s.stdout };
}

async function readyz(s: Serve): Promise<{ status: number; body: { ready: boolean; checks: Record<string, string> } }> {
  const r = await fetch(`${s.http}readyz`);
  return { status: r.status, body: (await r.json()) as { ready: boolean; checks: Record<string, string> } };
}

async function waitReady(s: Serve, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await readyz(s)).status !== 200) {
    if (Date.now() > until) throw new Error('not ready');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function pem(k: KeyObject): string {
  return k.export({ format: 'pem', type: 'spki' }).toString();
}

/** `earshot device add` in broker mode (the broker account made by the command); the provisioning details. */
function addDevice(id: string, key?: KeyObject): { secret: string; serverPublicKeyPem: string } {
  const args = ['device', 'add', id, '--data-dir', box.dataDir, '--config', box.settings, '--json'];
  if (key !== undefined) {
    const file = join(box.dir, `${id}.pub.pem`);
    writeFileSync(file, pem(key));
    args.push('--public-key', file);
  }
  return JSON.parse(cliOk(EARSHOT, args, { cwd: box.dir })) as { secret: string; serverPublicKeyPem: string };
}

async function connectAs(id: string, secret: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(broker.url, { clientId: id, username: id, password: secret, protocolVersion: 4, clean: false, reconnectPeriod: 0, connectTimeout: 5_000 }, false);
  clients.push(c);
  return c;
}

/** When `closed` resolved, or Infinity after 20 s: a connection never cut fails the test's bound instead of hanging it. */
function closedWithin(closed: Promise<number>): Promise<number> {
  return Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), 20_000))]);
}

async function refused(id: string, secret: string): Promise<boolean> {
  try {
    await connectAs(id, secret);
    return false;
  } catch {
    return true;
  }
}

function levelsMessage(id: string, seq: number, key: KeyObject, at: number): Buffer {
  const t = new Date(Math.floor(at / 1000) * 1000).toISOString();
  const records = [{ t, d: 1, LAeq: 50, LCeq: 55, LZeq: 58, LAFmax: 53, LAFmin: 46, LASmax: 51, LCpeak: 70 }];
  return signEnvelope({ v: 1, device: id, seq, sentAt: new Date().toISOString(), type: 'levels', body: { fullScaleDb: 120, records } }, key);
}

const count = (sql: string, ...params: unknown[]): number => query<{ n: number }>(box, sql, ...params)[0]!.n;
const seqsOf = (id: string): number[] => query<{ seq: number }>(box, 'SELECT seq FROM messages WHERE device = ? ORDER BY seq', id).map((r) => r.seq);

beforeAll(async () => {
  box = sandbox();
  broker = await mosquitto(box.dir);
  writeFileSync(box.settings, JSON.stringify({
    ...TEST_SETTINGS,
    mqtt: { host: '127.0.0.1', port: 0, brokerUrl: broker.url, brokerAccountFile: broker.accountFile, brokerClientId: 'earshot-ingest-system' },
  }));
  plainSettings = join(box.dir, 'plain.json');
  writeFileSync(plainSettings, JSON.stringify(TEST_SETTINGS));
  httpPort = await freePort();
}, 30_000);

afterAll(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  for (const c of children.splice(0)) await stop(c);
  await broker?.stop();
  box?.cleanup();
});

describe('earshot serve with an external mosquitto', () => {
  let serve: Serve;

  it('is ready once connected, says its roles, and logs no secret', async () => {
    serve = await startServe();
    await waitReady(serve);
    expect(await readyz(serve)).toEqual({ status: 200, body: { ready: true, checks: { store: 'ok', migrations: 'ok', broker: 'ok' } } });
    const live = await fetch(`${serve.http}healthz`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'live' }]);
    const running = serve.stdout().split('\n').filter((l) => l.includes('"ingest service running"')).map((l) => JSON.parse(l) as { roles: string[]; broker: string });
    expect(running[0]).toMatchObject({ roles: expect.arrayContaining(['broker-consumer', 'pipeline']) as unknown as string[], broker: broker.url });
    expect(serve.stdout()).toContain('"connected to the broker"');
    expect(serve.stdout()).not.toContain(broker.account.password);
  }, 60_000);

  it('makes, disables and enables device accounts at the broker within 5 s', async () => {
    const { secret } = addDevice('flat-a');
    expect(await refused('flat-a', 'not-the-secret-not-the-secret')).toBe(true);
    const dev = await connectAs('flat-a', secret);
    const closed = new Promise<number>((resolve) => dev.once('close', () => resolve(Date.now())));
    const t0 = Date.now();
    const r = cli(EARSHOT, ['device', 'disable', 'flat-a', '--data-dir', box.dataDir, '--config', box.settings], { cwd: box.dir });
    expect(r.code).toBe(0);
    expect(r.out).toContain("broker's account for flat-a is disabled");
    expect(await closedWithin(closed) - t0).toBeLessThan(5_000);
    expect(await refused('flat-a', secret)).toBe(true);
    cliOk(EARSHOT, ['device', 'enable', 'flat-a', '--data-dir', box.dataDir, '--config', box.settings], { cwd: box.dir });
    expect(await refused('flat-a', secret)).toBe(false);

    // Changed in the registry only (a command without the broker settings, or the browser): the running service applies it.
    const again = await connectAs('flat-a', secret);
    const cut = new Promise<number>((resolve) => again.once('close', () => resolve(Date.now())));
    const t1 = Date.now();
    cliOk(EARSHOT, ['device', 'disable', 'flat-a', '--data-dir', box.dataDir, '--config', plainSettings], { cwd: box.dir });
    expect(await closedWithin(cut) - t1).toBeLessThan(5_000);
    expect(await refused('flat-a', secret)).toBe(true);
    cliOk(EARSHOT, ['device', 'enable', 'flat-a', '--data-dir', box.dataDir, '--config', plainSettings], { cwd: box.dir });
    const until = Date.now() + 5_000;
    while (await refused('flat-a', secret)) {
      if (Date.now() > until) throw new Error('not enabled at the broker within 5 s');
      await new Promise((res) => setTimeout(res, 200));
    }
    // The ingest's own account name is not a device's.
    const taken = cli(EARSHOT, ['device', 'add', 'earshot-ingest', '--data-dir', box.dataDir, '--config', box.settings], { cwd: box.dir });
    expect([taken.code, taken.err]).toEqual([2, expect.stringContaining('EARSHOT_E_DEVICE_ID_INVALID')]);
    expect(count("SELECT count(*) AS n FROM devices WHERE id = 'earshot-ingest'")).toBe(0);
    // Each step is held to its 5 s above; the whole runs nine commands, each a process start, on a machine that may be busy.
  }, 150_000);

  it('gives a monitor added and disabled in the browser its broker account from the running service', async () => {
    const r = cli(EARSHOT, ['user', 'add', 'admin1', '--data-dir', box.dataDir, '--name', 'Ada Admin', '--initials', 'AA', '--role', 'admin', '--password-stdin'], { cwd: box.dir, input: 'an admin password of length\n' });
    expect(r.code).toBe(0);
    const login = await fetch(`${serve.http}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin1', password: 'an admin password of length' }) });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const added = await fetch(`${serve.http}api/admin/devices`, { method: 'POST', headers: auth, body: JSON.stringify({ deviceId: 'flat-web' }) });
    expect(added.status).toBe(201);
    const details = JSON.parse(((await added.json()) as { details: string }).details) as { secret: string; server: string };
    expect(details.server).toBe(broker.url);
    const until = Date.now() + 5_000;
    while (await refused('flat-web', details.secret)) {
      if (Date.now() > until) throw new Error('no broker account within 5 s');
      await new Promise((res) => setTimeout(res, 200));
    }
    const dev = await connectAs('flat-web', details.secret);
    const cut = new Promise<number>((resolve) => dev.once('close', () => resolve(Date.now())));
    const t0 = Date.now();
    const off = await fetch(`${serve.http}api/admin/devices/flat-web/enabled`, { method: 'POST', headers: auth, body: JSON.stringify({ enabled: false }) });
    expect(off.status).toBe(200);
    expect(await closedWithin(cut) - t0).toBeLessThan(5_000);
    expect(await refused('flat-web', details.secret)).toBe(true);
  }, 60_000);

  it('refuses through mosquitto what the embedded broker refuses', async () => {
    const keyA = generateKeyPairSync('ed25519');
    const { secret, serverPublicKeyPem } = addDevice('flat-c', keyA.publicKey);
    addDevice('flat-d');
    const dev = await connectAs('flat-c', secret);
    // Subscriptions: its own config and receipt only (SUBACK 0x80 otherwise [MQTT-3.9.3-2]).
    expect((await dev.subscribeAsync([topics.config('flat-c'), topics.receipt('flat-c')], { qos: 1 })).map((g) => g.qos)).toEqual([1, 1]);
    const denied = await dev.subscribeAsync([topics.receipt('flat-d'), topics.config('flat-d'), topics.levels('flat-d'), 'earshot/#'], { qos: 1 })
      .then(() => null, (e: { packet?: { granted: number[] } }) => e.packet?.granted);
    expect(denied).toEqual([128, 128, 128, 128]);
    const receipts: Buffer[] = [];
    dev.on('message', (topic, payload) => {
      if (topic === topics.receipt('flat-c')) receipts.push(payload);
    });
    // Publishes: for another device, on its own receipt and config topics — dropped by mosquitto, never stored.
    const now = Date.now();
    await dev.publishAsync(topics.levels('flat-d'), levelsMessage('flat-d', 0, keyA.privateKey, now), { qos: 1 });
    await dev.publishAsync(topics.receipt('flat-c'), Buffer.from('a receipt of its own making'), { qos: 1, retain: true });
    await dev.publishAsync(topics.config('flat-c'), Buffer.from('{}'), { qos: 1, retain: true });
    await dev.publishAsync(topics.levels('flat-c'), levelsMessage('flat-c', 0, keyA.privateKey, now), { qos: 1 });
    await waitFor('its own message stored', () => seqsOf('flat-c').length === 1);
    await waitFor('its receipt', () => receipts.length > 0);
    const r = openReceipt(receipts.at(-1)!, createPublicKey(serverPublicKeyPem), 'flat-c');
    expect(r).toMatchObject({ ok: true, receipt: { device: 'flat-c', stored: 0 } });
    expect(count("SELECT count(*) AS n FROM messages WHERE device = 'flat-d'")).toBe(0);
    expect(count('SELECT count(*) AS n FROM quarantine')).toBe(0);
    // No account, a wrong secret, or another's client id: CONNACK refused.
    expect(await refused('flat-zz', secret)).toBe(true);
    expect(await refused('flat-d', secret)).toBe(true);
  }, 60_000);

  it('stores every seq exactly once when killed (SIGKILL) while consuming a backlog', async () => {
    const key = generateKeyPairSync('ed25519');
    const { secret } = addDevice('flat-burst', key.publicKey);
    const dev = await connectAs('flat-burst', secret);
    // Enough that the service is still part-way through when it is killed (it takes some 1,000 messages/s).
    const N = 1_000;
    const t0 = Date.now() - N * 1000;
    await Promise.all(Array.from({ length: N }, (_, i) => dev.publishAsync(topics.levels('flat-burst'), levelsMessage('flat-burst', i, key.privateKey, t0 + i * 1000), { qos: 1 })));
    // Every message is at the broker; the service is part-way through them.
    await waitFor('a part stored', () => seqsOf('flat-burst').length >= 40, 30_000);
    await stop(serve.child, 'SIGKILL');
    const atKill = seqsOf('flat-burst').length;
    expect(atKill).toBeLessThan(N);
    serve = await startServe();
    await waitFor('all stored', () => seqsOf('flat-burst').length === N, 60_000);
    expect(seqsOf('flat-burst')).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(count("SELECT count(*) AS n FROM levels WHERE device = 'flat-burst'")).toBe(N);
    expect(count('SELECT count(*) AS n FROM quarantine')).toBe(0);
  }, 120_000);

  it('keeps a monitor’s data through mosquitto’s PUBACK until the ingest receipts it', async () => {
    const key = generateKeyPairSync('ed25519');
    const { secret, serverPublicKeyPem } = addDevice('flat-r', key.publicKey);
    // Its persistent session holds the device topics while the ingest is stopped.
    await stop(serve.child, 'SIGTERM');
    const outbox = Outbox.open({ dir: join(box.dir, 'flat-r-outbox'), deviceId: 'flat-r', privateKey: key.privateKey });
    const uplink = new Uplink({
      url: broker.url, deviceId: 'flat-r', secret, outbox, maxInFlight: 8, backoff: { initialMs: 20, maxMs: 200 },
      receipts: { serverKey: createPublicKey(serverPublicKeyPem), syncMs: 100, timeoutMs: 600_000 },
    });
    uplink.start();
    try {
      const t0 = Date.now() - 60_000;
      for (let i = 0; i < 6; i++) {
        const records = [{ t: new Date(t0 + i * 1000).toISOString(), d: 1, LAeq: 50, LCeq: 55, LZeq: 58, LAFmax: 53, LAFmin: 46, LASmax: 51, LCpeak: 70 }];
        uplink.enqueue('levels', { fullScaleDb: 120, records });
      }
      await waitFor('PUBACKed by mosquitto', () => uplink.status().connects > 0 && uplink.status().inFlight === 0 && outbox.stats().depth === 6, 20_000);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(outbox.stats().depth).toBe(6); // acknowledged by the broker, stored nowhere: all kept
      expect(seqsOf('flat-r')).toEqual([]);
      serve = await startServe();
      await waitFor('receipted and dropped', () => outbox.stats().depth === 0, 30_000);
      expect(seqsOf('flat-r')).toEqual([0, 1, 2, 3, 4, 5]);
      expect(uplink.status().receipts).toMatchObject({ stored: 5, forged: 0 });
    } finally {
      await uplink.stop();
      outbox.close();
    }
  }, 90_000);

  it('is not ready while the broker is down, reconnects, and loses no second of a monitor killed around it', async () => {
    slamWav(join(box.dir, 'room.wav'), 10, 5);
    const config = provisionDevice(box, 'flat-1', broker.port, join(box.dir, 'room.wav'));
    openCaseWithDeployment(box, 'flat-1');
    const device = startDevice(config, box.dir);
    children.push(device);
    const seconds = (): number[] => query<{ t: number }>(box, "SELECT t FROM levels WHERE device = 'flat-1' ORDER BY t").map((r) => r.t);
    await waitFor('levels stored', () => seconds().length >= 10, 60_000);

    // The ingest killed mid-stream: the broker holds its session, the device its journal.
    await stop(serve.child, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 4_000));
    serve = await startServe();
    await waitReady(serve);

    // The broker restarted: not ready meanwhile, ready again after the reconnect.
    await broker.stop();
    const until = Date.now() + 15_000;
    let down = await readyz(serve);
    while (down.status === 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      down = await readyz(serve);
    }
    expect(down).toEqual({ status: 503, body: { ready: false, checks: { store: 'ok', migrations: 'ok', broker: 'failing' } } });
    expect((await fetch(`${serve.http}healthz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3_000));
    await broker.start();
    await waitReady(serve, 20_000);

    const after = Date.now();
    await waitFor('records measured after the broker came back', () => seconds().some((t) => t > after), 90_000);
    const s = seconds();
    for (let i = 1; i < s.length; i++) expect(s[i]! - s[i - 1]!, `gap after record ${i - 1}`).toBeLessThan(1_500);
    // What the broker held for the ingest when it restarted is gone from it (no persistence); the monitor, never
    // receipted for those messages, sends them again after its reconnect, or — when that resend reached the broker
    // before the ingest had subscribed again — after its receipt timeout (firmware uplink.ts RECEIPT_TIMEOUT_MS,
    // 2 minutes): every seq comes, none twice (DESIGN §4).
    await waitFor('every message of the monitor stored', () => seqsOf('flat-1').every((q, i) => q === i), 150_000);
    const seqs = seqsOf('flat-1');
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(count("SELECT count(*) AS n FROM quarantine WHERE device = 'flat-1'")).toBe(0);
    await stop(device);
    await stop(serve.child);
    const verify = cli(EARSHOT, ['log', 'verify', '--data-dir', box.dataDir], { cwd: box.dir });
    expect([verify.code, verify.out]).toEqual([0, expect.stringMatching(/^OK: \d+ leaves/m)]);
  }, 420_000);
});
