/**
 * Issue 4, "Tests that must pass": 10,000 fuzzed payloads from one registered
 * device (key pinned) on its own topics, against the running service — serve()
 * on a temp data folder, a real mqtt client over TCP, QoS 1 with a window of
 * messages in flight. Every one is quarantined with the reason its kind of
 * damage calls for; nothing of them reaches levels, events, clips or chunks;
 * the valid messages sent among them (one every 500) are each stored exactly
 * once; and the service still answers afterwards.
 * Deterministic: the cases and the device key come from one seeded PRNG.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ErrorCode, type SignedKind, signEnvelope, topics } from '@earshot/shared';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../firmware/src/demo/random.ts';
import { type RunningService, serve } from '../../src/service/serve.ts';
import { loadSettings } from '../../src/service/settings.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../../src/pipeline/pipeline.ts';
import { MAX_CHUNK_BYTES } from '../../src/store/clips.ts';
import { clipManifest, count, levelsBody, quiet, startedBody, statusBody } from '../pipeline/support/ingest-fixture.ts';
import { connectDevice, publish1 } from '../pipeline/support/mqtt-device.ts';

const SEED = 0x4ea25407;
const FUZZ = 10_000;
const VALID_EVERY = 500;
/** QoS 1 PUBLISHes awaiting their PUBACK at once. */
const WINDOW = 64;
const ID = 'fuzz-device';
const OTHER_ID = 'other-device';
const T0 = Date.parse('2026-11-24T22:00:00.000Z');
/** Seqs of fuzzed envelopes start here, far from the valid ones: a case that were wrongly valid is stored, not mistaken for a conflict. */
const FUZZ_SEQ = 1_000_000;
/** An incomplete clip (its chunks are never sent): chunks that do not fit it must be refused. */
const CLIP = { id: 'fuzz-clip', bytes: 3_500, chunkBytes: 1_000 };

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
function bytes(r: Rand, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** RFC 8410 §7: a PKCS#8 Ed25519 private key is this DER prefix and the 32-byte seed. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const keyFrom = (r: Rand): KeyObject => createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, bytes(r, 32)]), format: 'der', type: 'pkcs8' });

/** DESIGN §4 framing over any text: the text, "\n", base64 Ed25519 signature of exactly the text. */
function signText(text: string, key: KeyObject): Buffer {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([body, Buffer.from(`\n${sign(null, body, key).toString('base64')}`, 'latin1')]);
}

interface Case {
  topic: string;
  payload: Buffer;
  /** The quarantine reason this damage must get. */
  code: ErrorCode;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const KINDS: readonly SignedKind[] = ['levels', 'status', 'event', 'clip'];
const iso = (ms: number): string => new Date(ms).toISOString();

function validBody(kind: SignedKind, seq: number): Json {
  switch (kind) {
    case 'levels':
      return levelsBody(T0 + seq * 10_000);
    case 'status':
      return statusBody({ synced: true, offsetMs: 3 });
    case 'event':
      return startedBody(`ev-${seq}`, T0 + seq * 1_000);
    case 'clip':
      return clipManifest(CLIP.id, Buffer.alloc(CLIP.bytes), '0'.repeat(64), CLIP.chunkBytes) as unknown as Json;
  }
}

function envelope(kind: SignedKind, seq: number, body: Json): { [k: string]: Json } {
  return { v: 1, device: ID, seq, sentAt: iso(T0 + seq), type: kind, body };
}

/** Paths to every number, string and boolean leaf of a value. */
function leaves(v: Json, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  else if (v !== null) out.push(path);
  return out;
}

function setAt(root: Json, path: readonly (string | number)[], value: Json): void {
  let node = root as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, Json>;
  node[path.at(-1)!] = value;
}

function getAt(root: Json, path: readonly (string | number)[]): Json {
  let node = root;
  for (const p of path) node = (node as Record<string | number, Json>)[p]!;
  return node;
}

/** A value of another JSON type than `was` (never null: nullable fields would take it). */
function otherType(r: Rand, was: Json): Json {
  const options: Json[] = ['40', 'NaN', 'Infinity', true, 7, [], {}, [1, 2]];
  return pick(r, options.filter((o) => typeof o !== typeof was || Array.isArray(o)));
}

/** Bounded numeric fields (schemas in shared/src/schemas/) a finite huge number breaks. */
const BOUNDED: Partial<Record<SignedKind, (string | number)[][]>> = {
  levels: [['fullScaleDb'], ['records', 0, 'LAeq'], ['records', 3, 'LCpeak'], ['records', 9, 'd']],
  status: [['fullScaleDb'], ['temperatureC']],
  event: [['level'], ['threshold']],
};

/** Each generator makes one damaged message and names the reason it must be quarantined with. */
function generators(key: KeyObject, otherKey: KeyObject, storedSeqs: readonly number[]): ((r: Rand, i: number) => Case)[] {
  const signedTopic = (kind: SignedKind): string => topics[kind](ID);
  const freshEnvelope = (r: Rand, i: number): { kind: SignedKind; env: { [k: string]: Json } } => {
    const kind = pick(r, KINDS);
    return { kind, env: envelope(kind, FUZZ_SEQ + i, validBody(kind, FUZZ_SEQ + i)) };
  };
  /** A JSON leaf replaced by a placeholder that is then swapped, in the text, for a token JSON.stringify cannot write. */
  const withToken = (env: Json, path: (string | number)[], token: string): string => {
    setAt(env, path, '\u0000TOKEN');
    return JSON.stringify(env).replace('"\\u0000TOKEN"', token);
  };
  return [
    // Random bytes.
    (r) => ({ topic: signedTopic(pick(r, KINDS)), payload: bytes(r, int(r, 0, 2_048)), code: 'EARSHOT_E_ENVELOPE_MALFORMED' }),
    // Truncated: a good payload cut anywhere, or truncated JSON signed as it is.
    (r, i) => {
      const { kind, env } = freshEnvelope(r, i);
      const text = JSON.stringify(env);
      const full = signText(text, key);
      const payload = r() < 0.5 ? full.subarray(0, int(r, 0, full.length - 1)) : signText(text.slice(0, int(r, 1, text.length - 1)), key);
      return { topic: signedTopic(kind), payload, code: 'EARSHOT_E_ENVELOPE_MALFORMED' };
    },
    // Valid JSON, wrong types: in the body, or in the envelope header.
    (r, i) => {
      const { kind, env } = freshEnvelope(r, i);
      const inHeader = r() < 0.25;
      const path = inHeader ? [pick(r, ['v', 'device', 'seq', 'sentAt', 'type'])] : ['body', ...pick(r, leaves(env['body']!))];
      setAt(env, path, otherType(r, getAt(env, path)));
      return { topic: signedTopic(kind), payload: signText(JSON.stringify(env), key), code: inHeader ? 'EARSHOT_E_ENVELOPE_MALFORMED' : 'EARSHOT_E_BODY_INVALID' };
    },
    // Huge numbers: past a field's bound, past a double (1e400 reads as Infinity), or a seq past 2^53.
    (r, i) => {
      const { kind, env } = freshEnvelope(r, i);
      const where = r();
      if (where < 0.2) return { topic: signedTopic(kind), payload: signText(withToken(env, ['seq'], pick(r, ['9007199254740993', '1e20', '-1', '1' + '0'.repeat(400)])), key), code: 'EARSHOT_E_ENVELOPE_MALFORMED' };
      const bounded = BOUNDED[kind];
      if (where < 0.6 && bounded !== undefined) {
        setAt(env, ['body', ...pick(r, bounded)], pick(r, [1e300, -1e300, 1e6, Number.MAX_VALUE]));
        return { topic: signedTopic(kind), payload: signText(JSON.stringify(env), key), code: 'EARSHOT_E_BODY_INVALID' };
      }
      const numeric = leaves(env['body']!).filter((p) => typeof getAt(env['body']!, p) === 'number');
      return { topic: signedTopic(kind), payload: signText(withToken(env, ['body', ...pick(r, numeric)], pick(r, ['1e400', '-1e400', '9'.repeat(400)])), key), code: 'EARSHOT_E_BODY_INVALID' };
    },
    // NaN / Infinity: as strings (wrong type), or as bare tokens (not JSON at all).
    (r, i) => {
      const { kind, env } = freshEnvelope(r, i);
      const numeric = leaves(env['body']!).filter((p) => typeof getAt(env['body']!, p) === 'number');
      const path = ['body', ...pick(r, numeric)];
      const word = pick(r, ['NaN', 'Infinity', '-Infinity']);
      if (r() < 0.5) {
        setAt(env, path, word);
        return { topic: signedTopic(kind), payload: signText(JSON.stringify(env), key), code: 'EARSHOT_E_BODY_INVALID' };
      }
      return { topic: signedTopic(kind), payload: signText(withToken(env, path, word), key), code: 'EARSHOT_E_ENVELOPE_MALFORMED' };
    },
    // Deeply nested arrays or objects, in the body or in the header.
    (r, i) => {
      const { kind, env } = freshEnvelope(r, i);
      const depth = int(r, 100, 5_000);
      const deep = r() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const inHeader = r() < 0.25;
      const path = inHeader ? ['seq'] : r() < 0.5 ? ['body'] : ['body', ...pick(r, leaves(env['body']!))];
      return { topic: signedTopic(kind), payload: signText(withToken(env, path, deep), key), code: inHeader ? 'EARSHOT_E_ENVELOPE_MALFORMED' : 'EARSHOT_E_BODY_INVALID' };
    },
    // Bad signatures: a character changed, another key, bytes changed after signing, all zeros.
    (r, i) => {
      const { kind, env } = freshEnvelope(r, i);
      const text = JSON.stringify(env);
      const good = signText(text, key);
      const nl = good.lastIndexOf(0x0a);
      let payload: Buffer;
      const how = int(r, 0, 3);
      if (how === 0) {
        payload = Buffer.from(good);
        // Only the first 85 of 86 base64 characters: the last one's low bits are padding.
        const at = nl + 1 + int(r, 0, 84);
        payload[at] = payload[at] === 0x41 ? 0x42 : 0x41;
      } else if (how === 1) {
        payload = signText(text, otherKey);
      } else if (how === 2) {
        payload = Buffer.concat([Buffer.from(JSON.stringify(env, null, 1), 'utf8'), good.subarray(nl)]);
      } else {
        payload = Buffer.concat([good.subarray(0, nl + 1), Buffer.from(Buffer.alloc(64).toString('base64'), 'latin1')]);
      }
      return { topic: signedTopic(kind), payload, code: 'EARSHOT_E_SIGNATURE_INVALID' };
    },
    // Another device named in the envelope, signed with this device's key, on this device's topic.
    (r, i) => {
      const { kind, env } = freshEnvelope(r, i);
      env['device'] = OTHER_ID;
      return { topic: signedTopic(kind), payload: signText(JSON.stringify(env), key), code: 'EARSHOT_E_DEVICE_MISMATCH' };
    },
    // A seq already stored, replayed with other (valid, signed) bytes.
    (r, i) => {
      const seq = pick(r, storedSeqs);
      const kind = pick(r, ['levels', 'status', 'event'] as const);
      const body = validBody(kind, FUZZ_SEQ + i);
      return { topic: signedTopic(kind), payload: signEnvelope({ v: 1, device: ID, seq, sentAt: iso(T0 + FUZZ_SEQ + i), type: kind, body }, key), code: 'EARSHOT_E_SEQ_CONFLICT' };
    },
    // Bad clip chunk topics, and chunks that do not fit the stored manifest.
    (r) => {
      const base = `earshot/v1/${ID}`;
      if (r() < 0.5) {
        const topic = pick(r, [
          `${base}/clip/Fuzz-Clip/0`, `${base}/clip/ab/0`, `${base}/clip/fuzz_clip/0`, `${base}/clip//0`, `${base}/clip/${CLIP.id}`,
          `${base}/clip/${CLIP.id}/01`, `${base}/clip/${CLIP.id}/-1`, `${base}/clip/${CLIP.id}/1234567`, `${base}/clip/${CLIP.id}/x`,
          `${base}/clip/${CLIP.id}/1e3`, `${base}/clip/${CLIP.id}/ 1`, `${base}/clip/${CLIP.id}/`, `${base}/clip/${CLIP.id}/0/0`,
          `${base}/levels/x`, `${base}/bogus`, `${base}/`, `${base}/Levels`,
        ]);
        return { topic, payload: bytes(r, int(r, 0, 64)), code: 'EARSHOT_E_TOPIC_INVALID' };
      }
      const chunks = Math.ceil(CLIP.bytes / CLIP.chunkBytes);
      const n = r() < 0.5 ? int(r, chunks, 999_999) : int(r, 0, chunks - 1);
      const want = n === chunks - 1 ? CLIP.bytes - (chunks - 1) * CLIP.chunkBytes : CLIP.chunkBytes;
      let size = int(r, 0, 2 * CLIP.chunkBytes);
      if (n < chunks && size === want) size++;
      return { topic: topics.clipChunk(ID, CLIP.id, n), payload: bytes(r, size), code: 'EARSHOT_E_CLIP_CHUNK_INVALID' };
    },
  ];
}

/** Over the 1 MiB message limit, under the broker's packet limit: a signed topic or a clip chunk. */
function oversized(r: Rand): Case {
  const size = DEFAULT_MAX_PAYLOAD_BYTES + 1 + int(r, 0, 256 * 1024);
  return r() < 0.7
    ? { topic: topics[pick(r, KINDS)](ID), payload: bytes(r, size), code: 'EARSHOT_E_MESSAGE_TOO_LARGE' }
    : { topic: topics.clipChunk(ID, CLIP.id, 0), payload: bytes(r, MAX_CHUNK_BYTES + 1 + int(r, 0, 1024)), code: 'EARSHOT_E_CLIP_CHUNK_INVALID' };
}

/** Publishes everything at QoS 1 with up to WINDOW un-acknowledged; resolves once every PUBACK is in. */
function publishWindowed(client: MqttClient, msgs: readonly { topic: string; payload: Buffer }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let acked = 0;
    const send = (): void => {
      const m = msgs[next++]!;
      client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
        if (err) return reject(err);
        if (++acked === msgs.length) return resolve();
        if (next < msgs.length) send();
      });
    };
    if (msgs.length === 0) return resolve();
    for (let i = 0; i < Math.min(WINDOW, msgs.length); i++) send();
  });
}

const keyOf = (topic: string, payload: Buffer): string => `${topic}\u0000${createHash('sha256').update(payload).digest('hex')}`;

let dir: string;
let service: RunningService;
let client: MqttClient | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-fuzz-'));
  const settings = loadSettings(undefined);
  settings.mqtt = { host: '127.0.0.1', port: 0 };
  service = await serve({ dataDir: dir, settings, logger: quiet, env: {} });
});

afterAll(async () => {
  await client?.endAsync(true).catch(() => undefined);
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('broker fuzz: 10,000 damaged payloads from a registered device', () => {
  it('quarantines every one with its reason, stores nothing of them, stores the valid ones among them once, and keeps answering', async () => {
    const r = mulberry32(SEED);
    const key = keyFrom(r);
    const otherKey = keyFrom(r);
    const { secret } = service.ingest.registry.add(ID, { publicKeyPem: createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString() });
    client = await connectDevice(service.mqttPort, ID, secret);

    // The valid messages, each with the next seq: a prologue (a heartbeat, the incomplete clip's manifest, level
    // batches whose seqs the fuzz replays), one every VALID_EVERY fuzz cases, and one at the end.
    let seq = 0;
    const valid = { levels: 0, status: 0, event: 0, clip: 0 };
    const validMessage = (kind: SignedKind, body?: Json): { topic: string; payload: Buffer } => {
      valid[kind]++;
      const s = seq++;
      return { topic: topics[kind](ID), payload: signEnvelope({ v: 1, device: ID, seq: s, sentAt: iso(T0 + s), type: kind, body: body ?? validBody(kind, s) }, key) };
    };
    const prologue = [validMessage('status'), validMessage('clip'), ...Array.from({ length: 8 }, () => validMessage('levels'))];
    await publishWindowed(client, prologue);
    const storedSeqs = Array.from({ length: seq }, (_, s) => s);

    const gens = generators(key, otherKey, storedSeqs);
    const expected = new Map<string, { code: ErrorCode; n: number }>();
    const stream: { topic: string; payload: Buffer }[] = [];
    const interleaved: SignedKind[] = ['levels', 'status', 'event', 'levels'];
    for (let i = 0; i < FUZZ; i++) {
      if (i % VALID_EVERY === 0) {
        const kind = interleaved[(i / VALID_EVERY) % interleaved.length]!;
        const incident = kind === 'event' && (i / VALID_EVERY) % 8 === 2;
        stream.push(validMessage(kind, incident ? { kind: 'incident', eventId: `inc-${i}`, at: iso(T0 + i), source: 'button', clipIds: [] } : undefined));
      }
      // About 1 in 500 cases is over a megabyte; the rest are small.
      const c = r() < 0.002 ? oversized(r) : pick(r, gens)(r, i);
      const k = keyOf(c.topic, c.payload);
      const e = expected.get(k);
      if (e === undefined) expected.set(k, { code: c.code, n: 1 });
      else {
        expect(e.code).toBe(c.code);
        e.n++;
      }
      stream.push(c);
    }
    await publishWindowed(client, stream);

    // Still answering: a valid batch sent afterwards is PUBACKed and stored.
    const after = validMessage('levels');
    await publish1(client, after.topic, after.payload);
    expect(client.connected).toBe(true);

    const { db } = service.ingest;
    // Every damaged payload quarantined, each with a reason code and the one its damage calls for.
    expect(count(db, 'quarantine')).toBe(FUZZ);
    const codes = new Map<string, number>();
    for (const row of db.prepare<[], { topic: string; raw: Buffer; code: string; device: string | null; client_id: string | null }>('SELECT topic, raw, code, device, client_id FROM quarantine').iterate()) {
      expect(row.code).toMatch(/^EARSHOT_E_[A-Z_]+$/);
      expect(row.client_id).toBe(ID);
      const e = expected.get(keyOf(row.topic, row.raw));
      expect(e, `unexpected quarantined message on ${row.topic}`).toBeDefined();
      expect(row.code).toBe(e!.code);
      e!.n--;
      codes.set(row.code, (codes.get(row.code) ?? 0) + 1);
    }
    expect([...expected.values()].filter((e) => e.n !== 0)).toEqual([]);
    // Every kind of damage was exercised.
    expect([...codes.keys()].sort()).toEqual([
      'EARSHOT_E_BODY_INVALID', 'EARSHOT_E_CLIP_CHUNK_INVALID', 'EARSHOT_E_DEVICE_MISMATCH', 'EARSHOT_E_ENVELOPE_MALFORMED',
      'EARSHOT_E_MESSAGE_TOO_LARGE', 'EARSHOT_E_SEQ_CONFLICT', 'EARSHOT_E_SIGNATURE_INVALID', 'EARSHOT_E_TOPIC_INVALID',
    ]);

    // Nothing of the fuzz stored; every valid message stored exactly once.
    expect(db.prepare('SELECT seq FROM messages WHERE device = ? ORDER BY seq').pluck().all(ID)).toEqual(Array.from({ length: seq }, (_, s) => s));
    expect(count(db, 'messages')).toBe(seq);
    expect(count(db, 'levels')).toBe(valid.levels * 10);
    expect(count(db, 'status')).toBe(valid.status);
    expect(count(db, 'events')).toBe(valid.event);
    expect(count(db, 'clips')).toBe(valid.clip);
    expect(count(db, 'clip_chunks')).toBe(0);
    expect(db.prepare('SELECT count(*) FROM levels WHERE device != ?').pluck().get(ID)).toBe(0);
  }, 180_000);
});
