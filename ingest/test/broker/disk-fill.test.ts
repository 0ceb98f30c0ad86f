/**
 * Issue 11 items 5 and 16 (broker side), with the real mqtt client against the
 * embedded broker and a real SQLite file: one authenticated device cannot fill
 * the disk through the quarantine or through chunks without a manifest, and a
 * forbidden publish is filed under the client that sent it.
 */
import { createHash } from 'node:crypto';
import { topics } from '@earshot/shared';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../src/broker/server.ts';
import { addDevice, clipBytes, clipManifest, type Fixture, levelsBody, makeFixture, quiet, type TestDevice } from '../pipeline/support/ingest-fixture.ts';
import { closed, connectDevice, publish1 } from '../pipeline/support/mqtt-device.ts';

const KIB = 1024;
const QUARANTINE_QUOTA = 1024 * KIB;
const ORPHAN_QUOTA = 1024 * KIB;

let f: Fixture;
let broker: RunningBroker;
let dev: TestDevice;
const clients: MqttClient[] = [];

beforeEach(async () => {
  f = makeFixture({ quotas: { quarantineBytesPerDevice: QUARANTINE_QUOTA, orphanChunkBytesPerDevice: ORPHAN_QUOTA } });
  dev = addDevice(f, 'dev-1');
  broker = await startBroker({ registry: f.registry, pipeline: f.pipeline, logger: quiet, port: 0, disablePollMs: 100, maxPacketBytes: 512 * KIB });
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

const sum = (sql: string, ...args: string[]): number => (f.db.prepare(sql).get(...args) as { b: number | null }).b ?? 0;

describe('disk quotas per device (item 5)', () => {
  it('keeps at most its quota of quarantined payloads and of chunks without a manifest, and goes on storing real clips', async () => {
    const c = await device();
    const junk = Buffer.alloc(200 * KIB, 0x78);
    for (let i = 0; i < 12; i++) await publish1(c, topics.levels(dev.id), junk); // garbage: quarantined
    for (let i = 0; i < 12; i++) await publish1(c, topics.clipChunk(dev.id, `junk-${i}`, 0), junk); // orphans
    expect(c.connected).toBe(true);

    // The quarantine: whole rows (payload, code, size, hash) up to the 1 MiB quota; past it each refusal is counted.
    const rows = f.db.prepare<[], { code: string; raw: Buffer; raw_bytes: number; raw_sha256: string; raw_dropped: string | null }>(
      'SELECT code, raw, raw_bytes, raw_sha256, raw_dropped FROM quarantine ORDER BY id',
    ).all();
    const junkSha = createHash('sha256').update(junk).digest('hex');
    const garbage = rows.filter((r) => r.code === 'EARSHOT_E_ENVELOPE_MALFORMED');
    expect(garbage).toHaveLength(5);
    for (const r of garbage) expect([r.raw.equals(junk), r.raw_bytes, r.raw_sha256, r.raw_dropped]).toEqual([true, junk.length, junkSha, null]);
    expect(f.db.prepare('SELECT device, code, messages, bytes FROM quarantine_overflow').all()).toEqual([{ device: 'dev-1', code: 'EARSHOT_E_ENVELOPE_MALFORMED', messages: 7, bytes: 7 * junk.length }]);
    expect(sum('SELECT sum(length(raw)) AS b FROM quarantine')).toBeLessThanOrEqual(QUARANTINE_QUOTA);
    expect(f.pipeline.quarantine.bytesHeld('dev-1')).toBeLessThanOrEqual(QUARANTINE_QUOTA);

    // Orphan chunks: five stored (1,000 KiB), the other seven refused and not kept anywhere.
    expect(sum('SELECT sum(length(data)) AS b FROM clip_chunks')).toBe(5 * junk.length);
    const refused = rows.filter((r) => r.code === 'EARSHOT_E_CLIP_ORPHAN_QUOTA');
    expect(refused).toHaveLength(7);
    for (const r of refused) expect([r.raw.length, r.raw_bytes, r.raw_dropped]).toEqual([0, junk.length, 'refused']);

    // A clip sent manifest first is not an orphan: it is stored and assembled whatever the orphans hold.
    const wav = clipBytes(300 * KIB, 3);
    const sha = createHash('sha256').update(wav).digest('hex');
    const chunk = 100 * KIB;
    await publish1(c, topics.clip(dev.id), dev.sign('clip', clipManifest('real-1', wav, sha, chunk)));
    for (let n = 0; n < 3; n++) await publish1(c, topics.clipChunk(dev.id, 'real-1', n), wav.subarray(n * chunk, (n + 1) * chunk));
    await new Promise((r) => setTimeout(r, 50));
    expect(f.pipeline.clips.report(dev.id, 'real-1').state).toBe('complete');
  });

  it('counts each device against its own quota', async () => {
    const other = addDevice(f, 'dev-2');
    const a = await device();
    const b = await device(other);
    const junk = Buffer.alloc(300 * KIB, 0x79);
    for (let i = 0; i < 6; i++) await publish1(a, topics.levels(dev.id), junk);
    await publish1(b, topics.levels(other.id), junk);
    const kept = f.db.prepare<[], { device: string; n: number }>("SELECT device, count(*) AS n FROM quarantine WHERE raw_dropped IS NULL GROUP BY device ORDER BY device").all();
    expect(kept).toEqual([{ device: 'dev-1', n: 3 }, { device: 'dev-2', n: 1 }]);
  });
});

describe('forbidden publish (item 16)', () => {
  it('is filed under the authenticated client that sent it, not the device its topic names', async () => {
    const victim = addDevice(f, 'dev-2');
    const c = await device();
    const gone = closed(c);
    c.publish(topics.levels(victim.id), victim.sign('levels', levelsBody()), { qos: 1 });
    await gone;
    expect(f.db.prepare('SELECT client_id, device, code FROM quarantine').all()).toEqual([{ client_id: 'dev-1', device: 'dev-1', code: 'EARSHOT_E_PUBLISH_FORBIDDEN' }]);
    // So the victim's quarantine quota is untouched.
    expect(f.pipeline.quarantine.bytesHeld('dev-2')).toBe(0);
  });
});
