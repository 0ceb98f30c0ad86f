/**
 * Issue 19: signature checks, JSON and schema validation on worker threads,
 * with message order per device and "acknowledged means stored" (DESIGN §4)
 * as they were: real worker threads, real broker, real mqtt clients, real SQLite.
 */
import { topics } from '@earshot/shared';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../src/broker/server.ts';
import type { Incoming } from '../../src/pipeline/types.ts';
import { addDevice, count, type Fixture, incoming, levelsBody, makeFixture, quiet, startedBody, type TestDevice } from './support/ingest-fixture.ts';
import { closed, connectDevice, publish1 } from './support/mqtt-device.ts';

let f: Fixture | null = null;
let broker: RunningBroker | null = null;
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  await broker?.close();
  broker = null;
  await f?.pipeline.close();
  f?.close();
  f = null;
});

async function setup(workers: number, devices: number): Promise<{ fx: Fixture; devs: TestDevice[]; b: RunningBroker }> {
  const fx = makeFixture({ workers });
  f = fx;
  const devs = Array.from({ length: devices }, (_, i) => addDevice(fx, `dev-${i + 1}`));
  broker = await startBroker({ registry: fx.registry, pipeline: fx.pipeline, logger: quiet, port: 0, rate: { burst: 1e6, perSecond: 1e6 } });
  await fx.pipeline.workers!.loaded();
  return { fx, devs, b: broker };
}

async function device(b: RunningBroker, d: TestDevice): Promise<MqttClient> {
  const c = await connectDevice(b.port, d.id, d.secret);
  clients.push(c);
  return c;
}

/** Resolves true once prepared, false if its worker died. */
function prepared(fx: Fixture, msg: Incoming): Promise<boolean> {
  return new Promise((resolve, reject) => {
    if (!fx.pipeline.prepare(msg, resolve)) reject(new Error('not sent to a worker'));
  });
}

describe('pipeline workers (issue 19)', () => {
  it('stores what workers prepared exactly as the in-thread pipeline does, refusals included', async () => {
    const { fx, devs } = await setup(2, 1);
    const d = devs[0]!;
    const good = incoming(topics.levels(d.id), d.sign('levels', levelsBody()), d.id);
    const forged = incoming(topics.event(d.id), d.signWith(addDevice(fx, 'other').privateKey, 'event', startedBody('ev-x')), d.id);
    const badBody = incoming(topics.event(d.id), d.sign('event', { kind: 'started' }), d.id);
    expect(await Promise.all([good, forged, badBody].map((m) => prepared(fx, m)))).toEqual([true, true, true]);
    expect(good.prepared?.result.status).toBe('ready');
    const outs = fx.pipeline.processBatch([good, forged, badBody]);
    expect(outs.map((o) => (o.status === 'quarantined' ? o.code : o.status))).toEqual(['stored', 'EARSHOT_E_SIGNATURE_INVALID', 'EARSHOT_E_BODY_INVALID']);
    expect(count(fx.db, 'levels')).toBe(10);
    // The same message again, prepared again: stored once (DESIGN §4, key device id + seq).
    const again = incoming(good.topic, good.payload, d.id);
    await prepared(fx, again);
    expect(fx.pipeline.processBatch([again])[0]!.status).toBe('duplicate');
    expect(count(fx.db, 'messages')).toBe(1);
  });

  it("keeps each device's order over the broker, with many devices and messages in flight on two workers", async () => {
    const { fx, devs, b } = await setup(2, 6);
    const cs = await Promise.all(devs.map((d) => device(b, d)));
    const per = 40;
    await Promise.all(cs.map((c, k) => {
      const d = devs[k]!;
      // All in flight at once: QoS 1 without waiting for each PUBACK.
      return Promise.all(Array.from({ length: per }, (_, i) => publish1(c, topics.event(d.id), d.sign('event', startedBody(`ev-${i}`)))));
    }));
    await new Promise((r) => setTimeout(r, 50)); // alerts run after the commit
    expect(count(fx.db, 'events')).toBe(devs.length * per);
    for (const d of devs) {
      const seqs = fx.alerts.filter((a) => a.device === d.id).map((a) => a.seq);
      expect(seqs).toEqual(Array.from({ length: per }, (_, i) => i));
    }
  });

  it('a worker that dies holding a message: no PUBACK; sent again, it is stored once', async () => {
    const { fx, devs, b } = await setup(1, 1);
    const d = devs[0]!;
    const c = await device(b, d);
    // The worker is ended the moment the message is handed to it, as a crash would end it.
    const prepare = fx.pipeline.prepare.bind(fx.pipeline);
    let kill = true;
    fx.pipeline.prepare = (msg, ready) => {
      const sent = prepare(msg, ready);
      if (sent && kill) {
        kill = false;
        void fx.pipeline.workers!.terminate(0);
      }
      return sent;
    };
    let acked = false;
    const ack = new Promise<void>((resolve) => c.publish(topics.event(d.id), d.sign('event', startedBody('ev-1')), { qos: 1 }, () => {
      acked = true;
      resolve();
    }));
    await closed(c); // not stored, so not acknowledged: the broker closes the connection
    expect(acked).toBe(false);
    expect(count(fx.db, 'events')).toBe(0);
    // Clean session false: the device sends the PUBLISH again (prepared here until the new worker has loaded).
    c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
    await ack;
    expect(count(fx.db, 'events')).toBe(1);
    expect(count(fx.db, 'messages')).toBe(1);
    await publish1(c, topics.levels(d.id), d.sign('levels', levelsBody()));
    expect(count(fx.db, 'levels')).toBe(10);
  });

  it('a commit that fails after the workers prepared it: no PUBACK; sent again, it is stored once', async () => {
    const { fx, devs, b } = await setup(1, 1);
    const d = devs[0]!;
    const c = await device(b, d);
    const quarantineSql = (fx.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'quarantine'").get() as { sql: string }).sql;
    fx.attachFails.on = true; // the store fails inside the transaction...
    fx.db.exec('DROP TABLE quarantine'); // ...and so does quarantining it: the transaction is rolled back
    let acked = false;
    const ack = new Promise<void>((resolve) => c.publish(topics.event(d.id), d.sign('event', startedBody('ev-1')), { qos: 1 }, () => {
      acked = true;
      resolve();
    }));
    await closed(c);
    expect(acked).toBe(false);
    expect(count(fx.db, 'events')).toBe(0);
    fx.db.exec(quarantineSql);
    fx.attachFails.on = false;
    c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
    await ack;
    expect(count(fx.db, 'events')).toBe(1);
    expect(count(fx.db, 'messages')).toBe(1);
  });

  it('a device with no key pinned yet is handled on the pipeline thread (trust on first use)', async () => {
    const fx = makeFixture({ workers: 1 });
    f = fx;
    await fx.pipeline.workers!.loaded();
    const d = addDevice(fx, 'dev-1', false);
    const msg = incoming(topics.levels(d.id), d.sign('levels', levelsBody()), d.id);
    expect(fx.pipeline.prepare(msg, () => undefined)).toBe(false);
    expect(fx.pipeline.process(msg)).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_KEY_NOT_PINNED' });
  });
});
