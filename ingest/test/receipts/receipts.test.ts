/**
 * Stored receipts, the ingest's side (DESIGN §4): after each commit one signed
 * receipt per device, covering the contiguous run of seqs stored or
 * quarantined, a clip manifest only once its chunks are all stored.
 */
import { createHash } from 'node:crypto';
import { topics } from '@earshot/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addDevice, clipBytes, clipManifest, type Fixture, incoming, levelsBody, type TestDevice } from '../pipeline/support/ingest-fixture.ts';
import { MAX_PER_TURN } from '../../src/receipts/index.ts';
import { makeReceiptFixture, type ReceiptFixture } from './support.ts';

let f: ReceiptFixture;
let dev: TestDevice;
const tick = () => new Promise((r) => setImmediate(r));
const deviceOf = (fx: ReceiptFixture, id: string): TestDevice => addDevice({ registry: fx.registry } as Fixture, id);
const levels = (d: TestDevice, seq: number) => incoming(topics.levels(d.id), d.sign('levels', levelsBody(Date.parse('2026-11-24T22:00:00.000Z') + seq * 10_000), seq), d.id);
const storedOf = (id: string): number[] => f.receiptsOf(id).map((r) => r.stored);

beforeEach(() => {
  f = makeReceiptFixture();
  dev = deviceOf(f, 'dev-1');
});
afterEach(() => f.close());

describe('stored receipts', () => {
  it('publishes one signed, retained receipt per device per commit, covering what is stored', async () => {
    const other = deviceOf(f, 'dev-2');
    f.pipeline.processBatch([levels(dev, 0), levels(dev, 1), levels(other, 0), levels(dev, 2), levels(other, 1)]);
    expect(f.published).toHaveLength(0); // not before the commit's own turn is over
    await tick();
    expect(storedOf('dev-1')).toEqual([2]);
    expect(storedOf('dev-2')).toEqual([1]);
    const r = f.receiptsOf('dev-1')[0]!;
    expect(r).toMatchObject({ v: 1, device: 'dev-1', stored: 2 });
    expect(Date.parse(r.at)).toBeGreaterThan(Date.now() - 60_000);
    // Exactly the JSON bytes before the newline are signed.
    expect(f.published[0]!.payload.toString('utf8').split('\n')[0]).toBe(`{"v":1,"device":"dev-1","stored":2,"at":"${r.at}"}`);
  });

  it('stops at a gap and moves past it once the missing seq is stored', async () => {
    f.pipeline.processBatch([levels(dev, 0), levels(dev, 2), levels(dev, 3)]);
    await tick();
    expect(storedOf('dev-1')).toEqual([0]);
    f.pipeline.process(levels(dev, 1));
    await tick();
    expect(storedOf('dev-1')).toEqual([0, 3]);
  });

  it('coalesces the batches committed in one turn into one receipt per device', async () => {
    for (let s = 0; s < 5; s++) f.pipeline.process(levels(dev, s));
    await tick();
    expect(storedOf('dev-1')).toEqual([4]);
  });

  it('counts a durably quarantined message of the device as covered, not one only counted past the quota', async () => {
    f.pipeline.process(levels(dev, 0));
    const bad = f.pipeline.process(incoming(topics.levels(dev.id), dev.sign('levels', { fullScaleDb: 120, records: [{ t: 'yesterday' }] }, 1), dev.id));
    expect(bad).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_BODY_INVALID' });
    f.pipeline.process(levels(dev, 2));
    await tick();
    expect(storedOf('dev-1')).toEqual([2]);

    const tight = makeReceiptFixture({ quarantineBytesPerDevice: 1 });
    try {
      const d = deviceOf(tight, 'dev-3');
      tight.pipeline.process(levels(d, 0));
      const over = tight.pipeline.process(incoming(topics.levels(d.id), d.sign('levels', { fullScaleDb: 120, records: [{ t: 'x' }] }, 1), d.id));
      expect(over).toMatchObject({ status: 'quarantined', quarantineId: null });
      tight.pipeline.process(levels(d, 2));
      await tick();
      expect(tight.receiptsOf('dev-3').map((r) => r.stored)).toEqual([0]);
    } finally {
      tight.close();
    }
  });

  it('does not let another client fill a device’s gap', async () => {
    deviceOf(f, 'dev-2');
    f.pipeline.process(levels(dev, 0));
    // dev-2, holding its own secret, publishes an envelope of dev-1 on dev-1's topic: refused, and no seq of dev-1 covered.
    const forged = f.pipeline.process(incoming(topics.levels(dev.id), dev.sign('levels', levelsBody(), 1), 'dev-2'));
    expect(forged).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_PUBLISH_FORBIDDEN' });
    f.pipeline.process(levels(dev, 2));
    await tick();
    expect(storedOf('dev-1')).toEqual([0]);
  });

  it('counts a clip manifest only once every chunk is stored', async () => {
    const wav = clipBytes(10_000, 3);
    const sha = createHash('sha256').update(wav).digest('hex');
    const chunk = 4096;
    f.pipeline.process(levels(dev, 0));
    f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', clipManifest('clip-1', wav, sha, chunk), 1), dev.id));
    f.pipeline.process(levels(dev, 2));
    f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-1', 0), wav.subarray(0, chunk), dev.id));
    await tick();
    expect(storedOf('dev-1')).toEqual([0]);
    f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-1', 1), wav.subarray(chunk, 2 * chunk), dev.id));
    f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-1', 2), wav.subarray(2 * chunk), dev.id));
    await tick();
    expect(storedOf('dev-1')).toEqual([0, 2]);
  });

  it('signs no more receipts than its rate allows, and one receipt covers what a device committed while it waited', async () => {
    const slow = makeReceiptFixture({ rate: { burst: 2, perSecond: 20 } });
    try {
      const [a, b, c] = ['dev-a', 'dev-b', 'dev-c'].map((id) => deviceOf(slow, id));
      const lv = (d: TestDevice, seq: number) => incoming(topics.levels(d.id), d.sign('levels', levelsBody(Date.parse('2026-11-24T22:00:00.000Z') + seq * 10_000), seq), d.id);
      slow.pipeline.processBatch([lv(a!, 0), lv(b!, 0), lv(c!, 0)]);
      await tick();
      // The burst is two: the third device waits its turn.
      expect(slow.published.map((p) => p.topic)).toEqual([topics.receipt('dev-a'), topics.receipt('dev-b')]);
      slow.pipeline.process(lv(a!, 1));
      slow.pipeline.process(lv(a!, 2));
      await tick();
      expect(slow.published).toHaveLength(2);
      // A token every 50 ms: dev-c first (it waited longest), then one receipt for both of dev-a's later commits.
      await vi.waitFor(() => expect(slow.published).toHaveLength(4), { timeout: 2_000, interval: 10 });
      expect(slow.published.map((p) => p.topic).slice(2)).toEqual([topics.receipt('dev-c'), topics.receipt('dev-a')]);
      expect(slow.receiptsOf('dev-a').map((r) => r.stored)).toEqual([0, 2]);
      expect(slow.receiptsOf('dev-c').map((r) => r.stored)).toEqual([0]);
    } finally {
      slow.close();
    }
  });

  it('signs at most MAX_PER_TURN receipts in one turn of the event loop, the rest on the next', async () => {
    const n = MAX_PER_TURN + 10;
    const many = Array.from({ length: n }, (_, i) => deviceOf(f, `dev-m${i}`));
    f.pipeline.processBatch(many.map((d) => levels(d, 0)));
    await tick();
    expect(f.published).toHaveLength(MAX_PER_TURN);
    await tick();
    expect(f.published).toHaveLength(n);
    expect(new Set(f.published.map((p) => p.topic)).size).toBe(n);
  });

  it('sends the current receipt again to a device that resends what is receipted', async () => {
    const p = levels(dev, 0);
    f.pipeline.process(p);
    await tick();
    f.pipeline.process({ ...p, receivedAt: Date.now() });
    await tick();
    expect(storedOf('dev-1')).toEqual([0, 0]);
  });

  it('starts again after a restart from the mark written and from the ledger alone', async () => {
    for (let s = 0; s < 3; s++) f.pipeline.process(levels(dev, s));
    await tick();
    f.restart(); // close() writes the marks
    expect(f.receipts.mark('dev-1')).toBe(2);
    f.db.prepare('DELETE FROM receipt_marks').run();
    f.restart();
    expect(f.receipts.mark('dev-1')).toBe(2); // read again from the message ledger
    f.pipeline.process(levels(dev, 3));
    await tick();
    expect(storedOf('dev-1')).toEqual([2, 3]);
  });
});
