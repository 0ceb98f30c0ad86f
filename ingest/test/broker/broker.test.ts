import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topics } from '@earshot/shared';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../src/broker/server.ts';
import { createDeviceRegistry } from '../../src/devices/registry.ts';
import { addDevice, clipBytes, clipManifest, count, type Fixture, levelsBody, makeFixture, quiet, startedBody, type TestDevice } from '../pipeline/support/ingest-fixture.ts';
import { closed, connectDevice, publish1 } from '../pipeline/support/mqtt-device.ts';

let f: Fixture;
let broker: RunningBroker;
let dev: TestDevice;
const clients: MqttClient[] = [];

beforeEach(async () => {
  f = makeFixture();
  dev = addDevice(f, 'dev-1');
  broker = await startBroker({ registry: f.registry, pipeline: f.pipeline, logger: quiet, port: 0, disablePollMs: 100, maxPacketBytes: 256 * 1024 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  await broker.close();
  f.close();
});

async function device(d: TestDevice = dev): Promise<MqttClient> {
  const c = await connectDevice(broker.port, d.id, d.secret);
  clients.push(c);
  return c;
}

async function refusedWith(id: string, secret: string, extra: { username?: string; clientId?: string } = {}): Promise<number> {
  try {
    const c = await connectDevice(broker.port, id, secret, extra);
    clients.push(c);
  } catch (e) {
    return (e as { code: number }).code;
  }
  return 0;
}

describe('broker: device identity at CONNECT', () => {
  it('accepts a registered device with its secret', async () => {
    expect((await device()).connected).toBe(true);
  });

  it('refuses an unknown device, a wrong secret, a username unlike the client id, a disabled device', async () => {
    expect(await refusedWith('dev-x', dev.secret)).toBe(4); // MQTT 3.1.1 Table 3.1: bad user name or password
    expect(await refusedWith(dev.id, `${dev.secret}x`)).toBe(4);
    expect(await refusedWith(dev.id, dev.secret, { username: 'dev-2' })).toBe(4);
    expect(await refusedWith('Not A Device', dev.secret, { username: 'Not A Device' })).toBe(2); // identifier rejected
    f.registry.disable(dev.id);
    expect(await refusedWith(dev.id, dev.secret)).toBe(5); // not authorized
    f.registry.enable(dev.id);
    expect(await refusedWith(dev.id, dev.secret)).toBe(0);
  });

  it('cuts an open connection at once when the device is disabled', async () => {
    const c = await device();
    const gone = closed(c);
    f.registry.disable(dev.id);
    await gone;
    expect(c.connected).toBe(false);
  });

  it('cuts an open connection when another process disables the device', async () => {
    const c = await device();
    const gone = closed(c);
    const other = new Database(f.file);
    createDeviceRegistry(other).disable(dev.id);
    other.close();
    await gone; // found by the broker's poll
    expect(c.connected).toBe(false);
  });
});

describe('broker: acknowledged means stored', () => {
  it('PUBACKs a QoS 1 message only once its rows are in the database', async () => {
    // The device runs in its own process and looks at the database the moment its PUBACK arrives,
    // while storing is made slow: an early PUBACK would find no row.
    f.attachFails.delayMs = 400;
    const payload = dev.sign('event', startedBody());
    const probe = join(dirname(fileURLToPath(import.meta.url)), '../pipeline/support/puback-probe.ts');
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', probe, String(broker.port), dev.id, dev.secret, topics.event(dev.id), payload.toString('base64'), f.file, 'events'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    expect(JSON.parse(out)).toEqual({ err: null, rows: 1 });
  });

  it('stores and acknowledges a device message without routing it; the ingest’s own publishes are routed', async () => {
    const routed: string[] = [];
    broker.aedes.on('publish', (packet) => {
      if (!packet.topic.startsWith('$SYS')) routed.push(packet.topic);
    });
    const c = await device();
    await c.publishAsync(topics.levels(dev.id), dev.sign('levels', levelsBody()), { qos: 1, retain: true });
    expect(count(f.db, 'levels')).toBe(10);
    await broker.publishConfig(dev.id, Buffer.from('{"version":4}'));
    expect(routed).toEqual([topics.config(dev.id)]);
    // Nothing of the device's is kept as retained broker state.
    const retained = await new Promise<unknown[]>((resolve) => {
      const got: unknown[] = [];
      const s = (broker.aedes as unknown as { persistence: { createRetainedStream(p: string): NodeJS.ReadableStream } }).persistence.createRetainedStream(topics.levels(dev.id));
      s.on('data', (p) => got.push(p)).on('end', () => resolve(got));
    });
    expect(retained).toEqual([]);
  });

  it('stores the same seq sent twice once', async () => {
    const c = await device();
    const p = dev.sign('levels', levelsBody());
    await publish1(c, topics.levels(dev.id), p);
    await publish1(c, topics.levels(dev.id), p);
    expect(count(f.db, 'levels')).toBe(10);
    expect(count(f.db, 'messages')).toBe(1);
  });

  it('quarantines garbage, bad signatures and invalid bodies with their codes, and keeps serving', async () => {
    const c = await device();
    const badSig = Buffer.from(dev.sign('levels', levelsBody()));
    badSig[badSig.length - 5] = badSig[badSig.length - 5] === 0x41 ? 0x42 : 0x41;
    await publish1(c, topics.levels(dev.id), Buffer.from('not an envelope'));
    await publish1(c, topics.levels(dev.id), badSig);
    await publish1(c, topics.status(dev.id), dev.sign('status', { uptimeSeconds: -1 }));
    const rows = f.db.prepare('SELECT code FROM quarantine ORDER BY id').all();
    expect(rows).toEqual([{ code: 'EARSHOT_E_ENVELOPE_MALFORMED' }, { code: 'EARSHOT_E_SIGNATURE_INVALID' }, { code: 'EARSHOT_E_BODY_INVALID' }]);
    await publish1(c, topics.levels(dev.id), dev.sign('levels', levelsBody()));
    expect(count(f.db, 'levels')).toBe(10);
    expect(c.connected).toBe(true);
  });

  it('refuses a publish under another device\'s topic: quarantined, nothing stored for it, connection closed', async () => {
    const other = addDevice(f, 'dev-2');
    const c = await device();
    const gone = closed(c);
    c.publish(topics.levels(other.id), other.sign('levels', levelsBody()), { qos: 1 });
    await gone;
    expect(count(f.db, 'levels')).toBe(0);
    expect(f.db.prepare('SELECT client_id, device, code FROM quarantine').all()).toEqual([{ client_id: 'dev-1', device: 'dev-1', code: 'EARSHOT_E_PUBLISH_FORBIDDEN' }]);
  });

  it('reassembles a clip sent as chunks into a file with the signed sha256', async () => {
    const c = await device();
    const wav = clipBytes(150_000, 13);
    const sha = createHash('sha256').update(wav).digest('hex');
    const size = 64 * 1024;
    for (let n = 0; n * size < wav.length; n++) await publish1(c, topics.clipChunk(dev.id, 'clip-1', n), wav.subarray(n * size, (n + 1) * size));
    await publish1(c, topics.clip(dev.id), dev.sign('clip', clipManifest('clip-1', wav, sha, size)));
    await new Promise((r) => setTimeout(r, 50));
    const r = f.pipeline.clips.report(dev.id, 'clip-1');
    expect(r.state).toBe('complete');
    expect(createHash('sha256').update(readFileSync(r.file!)).digest('hex')).toBe(sha);
  });
});

describe('broker: authorisation and limits', () => {
  it('lets a device subscribe only to its own config topic', async () => {
    const c = await device();
    const granted = await c.subscribeAsync(topics.config(dev.id), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    const refused = await c.subscribeAsync([topics.config('dev-2'), 'earshot/#']).then(() => null, (e: { packet: { granted: number[] } }) => e.packet.granted);
    expect(refused).toEqual([128, 128]); // SUBACK failure [MQTT-3.9.3-2]
    const got = new Promise<string>((resolve) => c.on('message', (_t, p) => resolve(p.toString())));
    await broker.publishConfig(dev.id, Buffer.from('{"version":3}'));
    expect(await got).toBe('{"version":3}');
  });

  it('cuts a connection that announces a packet over the size limit', async () => {
    const sock = connect(broker.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const gone = new Promise((r) => sock.once('close', r));
    // PUBLISH fixed header announcing 1 MiB: 0x30, Remaining Length 0x80 0x80 0x40 [MQTT-2.2.3]
    sock.write(Buffer.from([0x30, 0x80, 0x80, 0x40]));
    await gone;
    expect(sock.destroyed).toBe(true);
  });
});
