import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics } from '@earshot/shared';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../src/broker/server.ts';
import { addDevice, count, type Fixture, levelsBody, makeFixture, quiet, type TestDevice } from '../pipeline/support/ingest-fixture.ts';
import { closed, connectDevice, publish1 } from '../pipeline/support/mqtt-device.ts';

let f: Fixture;
let broker: RunningBroker | null = null;
let dev: TestDevice;
beforeEach(() => {
  f = makeFixture();
  dev = addDevice(f, 'dev-1');
});
afterEach(async () => {
  await broker?.close();
  broker = null;
  f.close();
});

describe('broker resilience', () => {
  it('does not acknowledge what it could not store, and stores it when the device sends it again', async () => {
    broker = await startBroker({ registry: f.registry, pipeline: f.pipeline, logger: quiet, port: 0 });
    const c = await connectDevice(broker.port, dev.id, dev.secret);
    const quarantineSql = (f.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'quarantine'").get() as { sql: string }).sql;
    f.db.exec('DROP TABLE quarantine'); // storage fails: even quarantining is impossible
    let acked = false;
    const ack = new Promise<void>((resolve) => c.publish(topics.levels(dev.id), Buffer.from('garbage'), { qos: 1 }, () => { acked = true; resolve(); }));
    await closed(c); // no PUBACK: the broker closes the connection instead
    expect(acked).toBe(false);
    f.db.exec(quarantineSql);
    // Clean session false: the device sends the un-acknowledged PUBLISH again from its store.
    c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
    await ack;
    expect(f.db.prepare('SELECT code, raw FROM quarantine').all()).toEqual([{ code: 'EARSHOT_E_ENVELOPE_MALFORMED', raw: Buffer.from('garbage') }]);
    await publish1(c, topics.levels(dev.id), dev.sign('levels', levelsBody()));
    expect(count(f.db, 'levels')).toBe(10);
    await c.endAsync();
  });

  it('slows a device over its rate instead of dropping its messages', async () => {
    broker = await startBroker({ registry: f.registry, pipeline: f.pipeline, logger: quiet, port: 0, rate: { burst: 2, perSecond: 20 } });
    const c = await connectDevice(broker.port, dev.id, dev.secret);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => publish1(c, topics.levels(dev.id), dev.sign('levels', levelsBody(Date.parse('2026-01-01T00:00:00.000Z') + i * 10_000)))));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(250); // 6 messages beyond the burst at 20/s
    expect(count(f.db, 'messages')).toBe(8);
    await c.endAsync();
  });

  it('serves devices over TLS when given a certificate and key', async () => {
    const key = join(f.dir, 'key.pem');
    const cert = join(f.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    broker = await startBroker({ registry: f.registry, pipeline: f.pipeline, logger: quiet, port: 0, tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.port}`, { clientId: dev.id, username: dev.id, password: dev.secret, protocolVersion: 4, clean: false, reconnectPeriod: 0, ca: readFileSync(cert) });
    await publish1(c, topics.levels(dev.id), dev.sign('levels', levelsBody()));
    expect(count(f.db, 'levels')).toBe(10);
    await c.endAsync();
  });
});
