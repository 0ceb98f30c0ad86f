import { encodeLeaf } from '../../src/evidence/leaf.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signEnvelope, topics } from '@earshot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDevice, clipBytes, clipManifest, count, type Fixture, incoming, levelsBody, makeFixture, startedBody, statusBody, type TestDevice } from './support/ingest-fixture.ts';

let f: Fixture;
let dev: TestDevice;
beforeEach(() => {
  f = makeFixture({ maxPayloadBytes: 64 * 1024 });
  dev = addDevice(f, 'dev-1');
});
afterEach(() => f.close());

const flushImmediate = () => new Promise((r) => setImmediate(r));

describe('pipeline: verify → validate → dedupe → store', () => {
  it('stores a levels batch and its records', () => {
    const out = f.pipeline.process(incoming(topics.levels(dev.id), dev.sign('levels', levelsBody()), dev.id));
    expect(out).toEqual({ status: 'stored', device: 'dev-1', seq: 0, type: 'levels' });
    expect(count(f.db, 'levels')).toBe(10);
    expect(f.db.prepare('SELECT laeq FROM levels ORDER BY t LIMIT 1').get()).toEqual({ laeq: 40 });
    expect(f.leaves).toHaveLength(0); // levels are not evidence
  });

  it('stores the same (device, seq) once however often it is redelivered', () => {
    const payload = dev.sign('levels', levelsBody());
    expect(f.pipeline.process(incoming(topics.levels(dev.id), payload, dev.id)).status).toBe('stored');
    expect(f.pipeline.process(incoming(topics.levels(dev.id), payload, dev.id)).status).toBe('duplicate');
    expect(count(f.db, 'levels')).toBe(10);
    expect(count(f.db, 'messages')).toBe(1);
    expect(count(f.db, 'quarantine')).toBe(0);
  });

  it('quarantines a seq reused for different bytes', () => {
    f.pipeline.process(incoming(topics.levels(dev.id), dev.sign('levels', levelsBody(), 7), dev.id));
    const out = f.pipeline.process(incoming(topics.levels(dev.id), dev.sign('levels', levelsBody(Date.now()), 7), dev.id));
    expect(out).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_SEQ_CONFLICT' });
  });

  const bad: [string, (d: TestDevice) => [string, Buffer], string][] = [
    ['garbage bytes', (d) => [topics.levels(d.id), Buffer.from([0xff, 0x00, 0x13, 0x37])], 'EARSHOT_E_ENVELOPE_MALFORMED'],
    ['truncated JSON', (d) => [topics.levels(d.id), d.sign('levels', levelsBody()).subarray(0, 50)], 'EARSHOT_E_ENVELOPE_MALFORMED'],
    ['a bad signature', (d) => {
      const p = Buffer.from(d.sign('levels', levelsBody()));
      p[20] = p[20] === 0x31 ? 0x32 : 0x31; // one byte of the envelope changed after signing
      return [topics.levels(d.id), p];
    }, 'EARSHOT_E_SIGNATURE_INVALID'],
    ['a schema-invalid body', (d) => [topics.levels(d.id), d.sign('levels', { fullScaleDb: 120, records: [{ t: 'yesterday' }] })], 'EARSHOT_E_BODY_INVALID'],
    ['an envelope type unlike its topic', (d) => [topics.event(d.id), d.sign('levels', levelsBody())], 'EARSHOT_E_BODY_INVALID'],
    ['an oversized payload', (d) => [topics.levels(d.id), d.sign('levels', levelsBody(Date.now(), 1000))], 'EARSHOT_E_MESSAGE_TOO_LARGE'],
    ['an unknown topic shape', (d) => [`earshot/v1/${d.id}/nonsense`, d.sign('levels', levelsBody())], 'EARSHOT_E_TOPIC_INVALID'],
    ['its own config topic', (d) => [topics.config(d.id), Buffer.from('{}')], 'EARSHOT_E_PUBLISH_FORBIDDEN'],
  ];
  it.each(bad)('quarantines %s with its reason and the raw bytes', (_name, make, code) => {
    const [topic, payload] = make(dev);
    const out = f.pipeline.process(incoming(topic, payload, dev.id));
    expect(out).toMatchObject({ status: 'quarantined', code });
    const row = f.db.prepare('SELECT * FROM quarantine').get() as { topic: string; code: string; raw: Buffer; device: string };
    expect(row).toMatchObject({ topic, code, device: 'dev-1' });
    expect(row.raw.equals(payload)).toBe(true);
    expect(count(f.db, 'levels') + count(f.db, 'messages')).toBe(0);
  });

  it('quarantines an envelope changed after signing or signed by another device', () => {
    const other = addDevice(f, 'dev-2');
    const out = f.pipeline.process(incoming(topics.levels(dev.id), Buffer.from(dev.sign('levels', levelsBody()).toString().replace('"device":"dev-1"', '"device":"dev-2"')), dev.id));
    expect(out).toMatchObject({ code: 'EARSHOT_E_SIGNATURE_INVALID' }); // changed bytes: the signature catches it first
    const signedByOther = other.sign('levels', levelsBody());
    expect(f.pipeline.process(incoming(topics.levels(dev.id), signedByOther, dev.id))).toMatchObject({ code: 'EARSHOT_E_SIGNATURE_INVALID' });
    // Signed with dev-1's own key but naming dev-2:
    const sneaky = addDevice(f, 'dev-3');
    const p = dev.sign('levels', levelsBody());
    const forged = Buffer.from(p.toString().replace('"device":"dev-1"', '"device":"dev-3"'));
    expect(f.pipeline.process(incoming(topics.levels(sneaky.id), forged, sneaky.id))).toMatchObject({ code: 'EARSHOT_E_SIGNATURE_INVALID' });
  });

  it('refuses a message whose envelope names another device though signed by the topic device', () => {
    const p = signEnvelope({ v: 1, device: 'dev-9', seq: 1, sentAt: new Date().toISOString(), type: 'levels', body: levelsBody() }, dev.privateKey);
    expect(f.pipeline.process(incoming(topics.levels(dev.id), p, dev.id))).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_DEVICE_MISMATCH' });
  });

  it('keeps messages of a device with no pinned key in quarantine', () => {
    const unpinned = addDevice(f, 'dev-4', false);
    expect(f.pipeline.process(incoming(topics.levels(unpinned.id), unpinned.sign('levels', levelsBody()), unpinned.id))).toMatchObject({ code: 'EARSHOT_E_KEY_NOT_PINNED' });
  });

  it('refuses a topic of another device', () => {
    addDevice(f, 'dev-2');
    const out = f.pipeline.process(incoming(topics.levels('dev-2'), dev.sign('levels', levelsBody()), dev.id));
    expect(out).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_PUBLISH_FORBIDDEN' });
    expect(count(f.db, 'levels')).toBe(0);
  });
});

describe('pipeline: evidence → attach → log → alert', () => {
  it('stores an event with its exact signed bytes, attaches it, logs it and alerts after commit', async () => {
    const payload = dev.sign('event', startedBody());
    const out = f.pipeline.process(incoming(topics.event(dev.id), payload, dev.id));
    expect(out.status).toBe('stored');
    expect(f.alerts).toHaveLength(0); // never inside the transaction / before the PUBACK
    await flushImmediate();
    expect(f.alerts).toEqual([expect.objectContaining({ device: 'dev-1', kind: 'started', eventId: 'ev-1', caseRef: 'CASE-1', clockFlag: 'no-heartbeat' })]);
    const row = f.db.prepare('SELECT * FROM events').get() as { case_ref: string; leaf_index: number; envelope: Buffer; signature: Buffer; clock_flag: string };
    expect(row.case_ref).toBe('CASE-1');
    expect(row.leaf_index).toBe(0);
    expect(Buffer.concat([row.envelope, Buffer.from('\n'), Buffer.from(row.signature.toString('base64'))]).equals(payload)).toBe(true);
    const leaf = JSON.parse(encodeLeaf(f.leaves[0]!).toString()) as { kind: string; caseRef: string; data: { signedPayload: string; deviceId: string; message: string } };
    expect(Buffer.from(leaf.data.signedPayload, 'base64').equals(payload)).toBe(true);
    expect(leaf).toMatchObject({ kind: 'event', caseRef: 'CASE-1', data: { deviceId: 'dev-1', message: 'event-started' } });
  });

  it('records the clock of the last heartbeat and flags offsets over 2 s', () => {
    f.pipeline.process(incoming(topics.status(dev.id), dev.sign('status', statusBody({ synced: true, offsetMs: 12 })), dev.id));
    f.pipeline.process(incoming(topics.event(dev.id), dev.sign('event', startedBody('ev-a')), dev.id));
    f.pipeline.process(incoming(topics.status(dev.id), dev.sign('status', statusBody({ synced: true, offsetMs: -2500 })), dev.id));
    f.pipeline.process(incoming(topics.event(dev.id), dev.sign('event', startedBody('ev-b')), dev.id));
    f.pipeline.process(incoming(topics.status(dev.id), dev.sign('status', statusBody({ synced: false, offsetMs: 0 })), dev.id));
    f.pipeline.process(incoming(topics.event(dev.id), dev.sign('event', startedBody('ev-c')), dev.id));
    const rows = f.db.prepare('SELECT event_id, clock_synced, clock_offset_ms, clock_flag, device_time, received_at FROM events ORDER BY seq').all();
    expect(rows).toMatchObject([
      { event_id: 'ev-a', clock_synced: 1, clock_offset_ms: 12, clock_flag: null },
      { event_id: 'ev-b', clock_offset_ms: -2500, clock_flag: 'offset-over-2s' },
      { event_id: 'ev-c', clock_synced: 0, clock_flag: 'unsynchronised' },
    ]);
    expect(f.attachRequests[1]!.clock.flag).toBe('offset-over-2s');
    expect(count(f.db, 'status')).toBe(3);
  });

  it('keeps evidence outside any case as unassigned with the reason', () => {
    const other = addDevice(f, 'dev-2');
    f.pipeline.process(incoming(topics.event(other.id), other.sign('event', startedBody()), other.id));
    expect(f.db.prepare('SELECT case_ref, attach_reason FROM events').get()).toEqual({ case_ref: null, attach_reason: 'no deployment' });
  });

  it('rolls back a message whose step throws, quarantines it, and keeps the others of the batch', () => {
    const good = incoming(topics.levels(dev.id), dev.sign('levels', levelsBody()), dev.id);
    f.attachFails.on = true;
    const failing = incoming(topics.event(dev.id), dev.sign('event', startedBody()), dev.id);
    const outs = f.pipeline.processBatch([good, failing]);
    expect(outs[0]!.status).toBe('stored');
    expect(outs[1]).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_STORE_FAILED', detail: 'attach exploded' });
    expect(count(f.db, 'events')).toBe(0); // the stored row was rolled back with its savepoint
    expect(count(f.db, 'messages')).toBe(1);
    f.attachFails.on = false;
    expect(f.pipeline.process(failing).status).toBe('stored'); // redelivered later: now accepted
  });
});

describe('pipeline: clips', () => {
  const wav = clipBytes(10_000, 7);
  const sha = createHash('sha256').update(wav).digest('hex');
  const chunk = 4096;

  it('reassembles chunks that arrive before their manifest into clips/<sha256>.wav', async () => {
    for (let n = 2; n >= 0; n--) {
      expect(f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-1', n), wav.subarray(n * chunk, (n + 1) * chunk), dev.id)).status).toBe('chunk-stored');
    }
    expect(f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', clipManifest('clip-1', wav, sha, chunk)), dev.id)).status).toBe('stored');
    await flushImmediate();
    const report = f.pipeline.clips.report('dev-1', 'clip-1');
    expect(report.state).toBe('complete');
    expect(createHash('sha256').update(readFileSync(report.file!)).digest('hex')).toBe(sha);
    expect(report.file!.endsWith(`clips/${sha}.wav`)).toBe(true);
    expect(count(f.db, 'clip_chunks')).toBe(0);
    expect(f.leaves).toHaveLength(1);
  });

  it('reports a truncated clip as incomplete, with the missing chunks, and keeps what arrived', async () => {
    f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', clipManifest('clip-2', wav, sha, chunk)), dev.id));
    f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-2', 0), wav.subarray(0, chunk), dev.id));
    await flushImmediate();
    expect(f.pipeline.clips.unfinished()).toEqual([expect.objectContaining({ clipId: 'clip-2', state: 'incomplete', chunksExpected: 3, chunksReceived: 1, missing: [1, 2] })]);
    expect(count(f.db, 'clip_chunks')).toBe(1);
  });

  it('marks a clip whose bytes do not match the signed sha256 as corrupt and keeps the chunks', async () => {
    f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', clipManifest('clip-3', wav, sha, chunk)), dev.id));
    const tampered = Buffer.from(wav);
    tampered[5000] = tampered[5000]! ^ 1;
    for (let n = 0; n < 3; n++) f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-3', n), tampered.subarray(n * chunk, (n + 1) * chunk), dev.id));
    await flushImmediate();
    const r = f.pipeline.clips.report('dev-1', 'clip-3');
    expect(r.state).toBe('corrupt');
    expect(r.problem).toContain('EARSHOT_E_CLIP_HASH_MISMATCH');
    expect(count(f.db, 'clip_chunks')).toBe(3);
  });

  it('refuses a second, different manifest for the same clip id', () => {
    f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', clipManifest('clip-5', wav, sha, chunk)), dev.id));
    const other = clipManifest('clip-5', wav, 'f'.repeat(64), chunk);
    expect(f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', other), dev.id))).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_CLIP_MANIFEST_CONFLICT' });
    expect(f.leaves).toHaveLength(1);
  });

  it('reassembles at start-up a clip whose chunks were all stored before a crash', () => {
    f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', clipManifest('clip-6', wav, sha, chunk)), dev.id));
    for (let n = 0; n < 3; n++) f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-6', n), wav.subarray(n * chunk, (n + 1) * chunk), dev.id));
    // No turn of the event loop yet: the after-commit reassembly has not run, as after a crash.
    expect(f.pipeline.clips.report('dev-1', 'clip-6').state).toBe('incomplete');
    expect(f.pipeline.recoverClips()).toEqual([expect.objectContaining({ clipId: 'clip-6', state: 'complete' })]);
  });

  it('quarantines a chunk that cannot belong to its manifest', async () => {
    f.pipeline.process(incoming(topics.clip(dev.id), dev.sign('clip', clipManifest('clip-4', wav, sha, chunk)), dev.id));
    expect(f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-4', 5), wav.subarray(0, chunk), dev.id))).toMatchObject({ code: 'EARSHOT_E_CLIP_CHUNK_INVALID' });
    expect(f.pipeline.process(incoming(topics.clipChunk(dev.id, 'clip-4', 0), wav.subarray(0, 100), dev.id))).toMatchObject({ code: 'EARSHOT_E_CLIP_CHUNK_INVALID' });
  });
});
