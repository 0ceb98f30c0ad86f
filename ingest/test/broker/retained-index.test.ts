import { topics } from '@earshot/shared';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicMatches } from '../../src/broker/retained-index.ts';
import { type RunningBroker, startBroker } from '../../src/broker/server.ts';
import { addDevice, type Fixture, makeFixture, quiet, type TestDevice } from '../pipeline/support/ingest-fixture.ts';
import { connectDevice } from '../pipeline/support/mqtt-device.ts';

let f: Fixture;
let broker: RunningBroker;
let dev: TestDevice;
const clients: MqttClient[] = [];

beforeEach(async () => {
  f = makeFixture();
  dev = addDevice(f, 'dev-1');
  broker = await startBroker({ registry: f.registry, pipeline: f.pipeline, logger: quiet, port: 0 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  await broker.close();
  f.close();
});

interface Retained {
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<{ topic: string; payload: Buffer }>;
}
const persistence = (): Retained => (broker.aedes as unknown as { persistence: Retained }).persistence;

async function retainedFor(patterns: string[]): Promise<string[]> {
  const got: string[] = [];
  for await (const p of persistence().createRetainedStreamCombi(patterns)) got.push(`${p.topic}=${p.payload.toString()}`);
  return got;
}

describe('broker: retained configs looked up by topic (issue 19 readmission)', () => {
  it('delivers a device its retained config at SUBSCRIBE, the latest one, and none once cleared', async () => {
    await broker.publishConfig(dev.id, Buffer.from('{"version":1}'));
    await broker.publishConfig(dev.id, Buffer.from('{"version":2}'));
    await broker.publishConfig('dev-2', Buffer.from('{"version":9}'));
    const c = await connectDevice(broker.port, dev.id, dev.secret);
    clients.push(c);
    const got = new Promise<string>((resolve) => c.once('message', (_t, payload: Buffer) => resolve(payload.toString())));
    await c.subscribeAsync(topics.config(dev.id), { qos: 1 });
    expect(await got).toBe('{"version":2}');
    await broker.publishConfig(dev.id, Buffer.alloc(0));
    expect(await retainedFor([topics.config(dev.id)])).toEqual([]);
    expect(await retainedFor([topics.config('dev-2')])).toEqual(['earshot/v1/dev-2/config={"version":9}']);
  });

  it('matches wildcard filters as MQTT 3.1.1 §4.7 says', async () => {
    await broker.publishConfig('dev-2', Buffer.from('a'));
    await broker.publishConfig('dev-3', Buffer.from('b'));
    expect((await retainedFor(['earshot/v1/+/config'])).sort()).toEqual(['earshot/v1/dev-2/config=a', 'earshot/v1/dev-3/config=b']);
    expect((await retainedFor(['earshot/#'])).length).toBe(2);
    expect(await retainedFor(['earshot/v1/+'])).toEqual([]);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/c/d')).toBe(false);
  });

  it('answers 5,000 subscriptions among 20,000 retained configs in well under a second', async () => {
    for (let i = 0; i < 20_000; i++) await broker.publishConfig(`load-${String(i).padStart(5, '0')}`, Buffer.from('{}'));
    const t0 = performance.now();
    let found = 0;
    for (let i = 0; i < 5_000; i++) found += (await retainedFor([topics.config(`load-${String(i * 4).padStart(5, '0')}`)])).length;
    const ms = performance.now() - t0;
    expect(found).toBe(5_000);
    // A scan per SUBSCRIBE is 10^8 topic matches here: minutes. A lookup each is milliseconds in all.
    expect(ms).toBeLessThan(2_000);
  }, 60_000);
});
