/**
 * Stored receipts through the real embedded broker (DESIGN §4): a device may
 * subscribe to its own receipt topic only, gets its retained receipt there
 * after the commit, and may not publish on it.
 */
import { topics } from '@earshot/shared';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../src/broker/server.ts';
import { addDevice, type Fixture, levelsBody, quiet, type TestDevice } from '../pipeline/support/ingest-fixture.ts';
import { closed, connectDevice, publish1 } from '../pipeline/support/mqtt-device.ts';
import { makeReceiptFixture, type ReceiptFixture } from './support.ts';

let f: ReceiptFixture;
let broker: RunningBroker;
let dev: TestDevice;
const clients: MqttClient[] = [];

beforeEach(async () => {
  f = makeReceiptFixture();
  dev = addDevice({ registry: f.registry } as Fixture, 'dev-1');
  addDevice({ registry: f.registry } as Fixture, 'dev-2');
  broker = await startBroker({ registry: f.registry, pipeline: f.pipeline, logger: quiet, port: 0 });
  f.receipts.attach((topic, payload) => broker.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, () => undefined));
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  await broker.close();
  f.close();
});

describe('stored receipts through the embedded broker', () => {
  it('lets a device subscribe to its own receipt topic only, and delivers the receipt retained', async () => {
    const c = await connectDevice(broker.port, dev.id, dev.secret);
    clients.push(c);
    expect((await c.subscribeAsync(topics.receipt(dev.id), { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    const refused = await c.subscribeAsync([topics.receipt('dev-2'), 'earshot/v1/+/receipt']).then(() => null, (e: { packet: { granted: number[] } }) => e.packet.granted);
    expect(refused).toEqual([128, 128]); // SUBACK failure [MQTT-3.9.3-2]
    const got = new Promise<Buffer>((resolve) => c.on('message', (_t, p) => resolve(p)));
    await publish1(c, topics.levels(dev.id), dev.sign('levels', levelsBody(), 0));
    expect((await got).toString('utf8').split('\n')[0]).toMatch(/^\{"v":1,"device":"dev-1","stored":0,"at":"[^"]+"\}$/);

    // A later subscriber (a reconnect) gets the retained copy.
    const again = await connectDevice(broker.port, dev.id, dev.secret, { clientId: dev.id });
    clients.push(again);
    const retained = new Promise<{ retain: boolean }>((resolve) => again.on('message', (_t, _p, packet) => resolve(packet)));
    await again.subscribeAsync(topics.receipt(dev.id), { qos: 1 });
    expect((await retained).retain).toBe(true);
  });

  it('closes the connection of a device publishing on a receipt topic', async () => {
    const c = await connectDevice(broker.port, dev.id, dev.secret);
    clients.push(c);
    const gone = closed(c);
    c.publish(topics.receipt(dev.id), Buffer.from('{"v":1,"device":"dev-1","stored":99}'), { qos: 1 });
    await gone;
    expect((f.db.prepare("SELECT count(*) AS n FROM quarantine WHERE code = 'EARSHOT_E_PUBLISH_FORBIDDEN'").get() as { n: number }).n).toBe(1);
  });
});
