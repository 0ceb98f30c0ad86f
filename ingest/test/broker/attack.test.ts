/**
 * Issue 11, items 1, 3 and 15 (broker side): failed CONNECTs are cheap and
 * budgeted per address, unauthenticated connections are small, few and short,
 * and the broker listens on loopback unless told otherwise. Raw TCP for what
 * a real client would never send, the real mqtt client for the good device.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../src/broker/server.ts';
import { hashSecretScrypt } from '../../src/devices/secret.ts';
import { loadSettings, mqttExposureWarning } from '../../src/service/settings.ts';
import { addDevice, type Fixture, makeFixture, quiet, type TestDevice } from '../pipeline/support/ingest-fixture.ts';
import { connectDevice } from '../pipeline/support/mqtt-device.ts';

let f: Fixture | null = null;
let broker: RunningBroker | null = null;
const sockets: Socket[] = [];
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  await broker?.close();
  broker = null;
  f?.close();
  f = null;
});

type BrokerExtra = Omit<Parameters<typeof startBroker>[0], 'registry' | 'pipeline' | 'logger'>;

async function start(extra: BrokerExtra = {}): Promise<{ fx: Fixture; dev: TestDevice; b: RunningBroker }> {
  const fx = makeFixture();
  f = fx;
  const dev = addDevice(fx, 'dev-1');
  const b = await startBroker({ registry: fx.registry, pipeline: fx.pipeline, logger: quiet, port: 0, ...extra });
  broker = b;
  return { fx, dev, b };
}

const str = (s: string | Buffer): Buffer => {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8');
  const l = Buffer.alloc(2);
  l.writeUInt16BE(b.length);
  return Buffer.concat([l, b]);
};
function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
/** MQTT 3.1.1 §3.1 CONNECT with username and password. */
function connectPacket(id: string, password: string): Buffer {
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 60]), str(id), str(id), str(password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

function rawSocket(port: number, localAddress = '127.0.0.2'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}
const isClosed = (s: Socket): Promise<boolean> => new Promise((resolve) => (s.destroyed || s.readyState === 'closed' ? resolve(true) : s.once('close', () => resolve(true))));
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
/** The CONNACK's return code, or 'closed' when the socket closed without one. */
function connack(s: Socket): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf[0] === 0x20) resolve(buf[3]!);
    });
    s.once('close', () => resolve('closed'));
  });
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('broker under attack: memory before authentication (issue 11 item 3)', () => {
  it('cuts a CONNECT that announces more than a CONNECT needs, from its header alone', async () => {
    const { b } = await start();
    const s = await rawSocket(b.port);
    // A CONNECT announcing 4 MiB - 1, of which only the start is sent.
    s.write(Buffer.concat([Buffer.from([0x10]), remainingLength(4 * 1024 * 1024 - 8), str('MQTT'), Buffer.from([4, 0xc2, 0, 60])]));
    expect(await within(isClosed(s), 1_000)).toBe(true);
  });

  it('closes an unauthenticated connection at the CONNECT deadline', async () => {
    const { b } = await start({ preAuth: { deadlineMs: 300 } });
    const s = await rawSocket(b.port);
    s.write(Buffer.from([0x10, 0x40, 0x00])); // a CONNECT that never finishes
    expect(await within(isClosed(s), 2_000)).toBe(true);
  });

  it('holds at most the per-address number of unauthenticated connections; other addresses still get in', async () => {
    const { b, dev } = await start({ preAuth: { maxPerAddress: 8, deadlineMs: 10_000 } });
    const held = await Promise.all(Array.from({ length: 20 }, () => rawSocket(b.port)));
    await sleep(300);
    expect(held.filter((s) => s.destroyed || s.readyState === 'closed').length).toBe(12);
    const c = await connectDevice(b.port, dev.id, dev.secret);
    clients.push(c);
    expect(c.connected).toBe(true);
  });

  it('applies the large packet limit only once the device is authenticated', async () => {
    const { b, dev } = await start({ maxPacketBytes: 256 * 1024 });
    const c = await connectDevice(b.port, dev.id, dev.secret);
    clients.push(c);
    // A 64 KiB publish after CONNACK is fine (it is quarantined or stored, not cut).
    await new Promise<void>((resolve, reject) => c.publish(`earshot/v1/${dev.id}/whatever`, Buffer.alloc(64 * 1024), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    expect(c.connected).toBe(true);
  });
});

describe('broker under attack: failed CONNECTs are cheap and budgeted (issue 11 item 1)', () => {
  it('checks a wrong secret for an unknown or a known id without a slow hash', async () => {
    const { fx, dev } = await start();
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => fx.registry.checkCredentials(i % 2 === 0 ? `ghost-${i}` : dev.id, Buffer.from(`wrong-${i}`))));
    const ms = performance.now() - t0;
    expect(results.filter((r) => r === 'unknown').length).toBe(100);
    expect(results.filter((r) => r === 'bad-secret').length).toBe(100);
    // 200 scrypt checks at N = 2^12 take over a second on two cores; 200 keyed hashes a millisecond or two.
    expect(ms).toBeLessThan(150);
    expect(await fx.registry.checkCredentials(dev.id, Buffer.from(dev.secret))).toBe('ok');
  });

  it('accepts a secret stored as a scrypt hash and upgrades it to a keyed hash', async () => {
    const { fx } = await start();
    const secret = 'legacy-secret-legacy-secret-legacy-secret-1';
    const h = hashSecretScrypt(secret);
    fx.db.prepare(`INSERT INTO devices (id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, created_at, changed_at) VALUES ('old-1', ?, ?, ?, ?, ?, 0, 0)`)
      .run(h.salt, h.hash, h.params.N, h.params.r, h.params.p);
    expect(await fx.registry.checkCredentials('old-1', Buffer.from(`${secret}x`))).toBe('bad-secret');
    expect(fx.db.prepare<[], { n: number }>(`SELECT scrypt_n AS n FROM devices WHERE id = 'old-1'`).get()?.n).toBe(4096);
    expect(await fx.registry.checkCredentials('old-1', Buffer.from(secret))).toBe('ok');
    expect(fx.db.prepare<[], { n: number }>(`SELECT scrypt_n AS n FROM devices WHERE id = 'old-1'`).get()?.n).toBe(0);
    expect(await fx.registry.checkCredentials('old-1', Buffer.from(secret))).toBe('ok');
    expect(await fx.registry.checkCredentials('old-1', Buffer.from(`${secret}x`))).toBe('bad-secret');
    // The stored value is not the secret itself nor its plain SHA-256.
    const row = fx.db.prepare<[], { h: Buffer }>(`SELECT secret_hash AS h FROM devices WHERE id = 'old-1'`).get()!;
    expect(row.h.equals(createHash('sha256').update(secret).digest())).toBe(false);
  });

  it('backs off an address after its failure budget, while a good device elsewhere connects at once', async () => {
    const { b, dev } = await start({ budget: { address: { burst: 5, perSecond: 0.01 }, device: { burst: 1_000, perSecond: 1_000 } } });
    for (let i = 0; i < 5; i++) {
      const s = await rawSocket(b.port);
      const answer = connack(s);
      s.write(connectPacket(i % 2 === 0 ? dev.id : `ghost-${i}`, 'wrong'));
      expect(await answer).toBe(4);
    }
    // Now even the right secret from that address is refused, without being checked.
    const s = await rawSocket(b.port);
    const answer = connack(s);
    s.write(connectPacket(dev.id, dev.secret));
    expect(await within(answer, 2_000)).toBe('closed');
    // From another address the device gets in at once.
    const t0 = performance.now();
    const c = await connectDevice(b.port, dev.id, dev.secret);
    clients.push(c);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('lets a good device in quickly while 300 wrong-secret CONNECTs hit from another address', async () => {
    const { b, dev } = await start();
    const flood = Array.from({ length: 300 }, async (_, i) => {
      const s = await rawSocket(b.port).catch(() => null);
      if (s === null) return;
      s.on('error', () => undefined);
      s.write(connectPacket(i % 2 === 0 ? dev.id : `ghost-${i}`, `wrong-${i}`));
      await within(isClosed(s), 5_000);
    });
    await sleep(20);
    const t0 = performance.now();
    const c = await connectDevice(b.port, dev.id, dev.secret);
    clients.push(c);
    const ms = performance.now() - t0;
    await Promise.all(flood);
    expect(ms).toBeLessThan(1_000);
  });
});

describe('MQTT listening address (issue 11 item 15)', () => {
  it('defaults to loopback without TLS, to every interface with TLS, and keeps an explicit host', () => {
    expect(loadSettings(undefined).mqtt.host).toBe('127.0.0.1');
    const dir = makeFixture();
    f = dir;
    const file = (o: unknown): string => {
      const p = `${dir.dir}/s-${Math.random()}.json`;
      writeFileSync(p, JSON.stringify(o));
      return p;
    };
    expect(loadSettings(file({ mqtt: { tlsCertFile: 'c.pem', tlsKeyFile: 'k.pem' } })).mqtt.host).toBe('0.0.0.0');
    expect(loadSettings(file({ mqtt: { host: '0.0.0.0' } })).mqtt.host).toBe('0.0.0.0');
  });

  it('warns about plaintext MQTT on a non-loopback address, and only then', () => {
    const s = loadSettings(undefined);
    expect(mqttExposureWarning(s)).toBeNull();
    expect(mqttExposureWarning({ ...s, mqtt: { ...s.mqtt, host: '0.0.0.0' } })).toMatch(/plaintext/i);
    expect(mqttExposureWarning({ ...s, mqtt: { ...s.mqtt, host: '::1' } })).toBeNull();
    expect(mqttExposureWarning({ ...s, mqtt: { ...s.mqtt, host: '0.0.0.0', tlsCertFile: 'c', tlsKeyFile: 'k' } })).toBeNull();
  });
});
