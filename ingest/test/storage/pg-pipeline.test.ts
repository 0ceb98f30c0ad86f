/**
 * The message pipeline on PostgreSQL against the one on SQLite
 * (storage/postgres/ingest-batch/): one installation copied into a real
 * PostgreSQL, then the same messages, in the same batches, through both —
 * heartbeats, level batches, events attached and unassigned, redeliveries, a
 * seq reused for other bytes, a bad signature, a forbidden topic, an
 * implausible time, refusals past a quarantine quota. Every outcome, every row
 * of every table the pipeline writes, each evidence leaf's bytes, the log's
 * root and the alerts must be the same.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Envelope, type SignedKind, signEnvelope, topics } from '@earshot/shared';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openCase, startDeployment } from '../../src/cases/index.ts';
import { createPipeline } from '../../src/pipeline/pipeline.ts';
import type { AlertEvent, Incoming, Outcome } from '../../src/pipeline/types.ts';
import { openIngest } from '../../src/service/open-ingest.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { postgresEvidenceLog } from '../../src/storage/postgres/evidence-log.ts';
import { createPostgresPipeline } from '../../src/storage/postgres/ingest-batch/postgres-pipeline.ts';
import { createPgLevelsWriter } from '../../src/storage/postgres/levels-writer.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const quiet = pino({ level: 'silent' });
const T0 = Date.parse('2026-11-24T22:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

interface Dev { id: string; key: KeyObject; seq: number; sign(type: SignedKind, body: unknown, seq?: number, key?: KeyObject): Buffer }

function device(id: string, key: KeyObject): Dev {
  const d: Dev = {
    id, key, seq: 0,
    sign(type, body, seq, other) {
      const env: Envelope<unknown> = { v: 1, device: id, seq: seq ?? d.seq++, sentAt: iso(T0 + 60_000), type, body };
      return signEnvelope(env, other ?? key);
    },
  };
  return d;
}

const levels = (start: number, n = 10, laeq = 40) => ({
  fullScaleDb: 120,
  records: Array.from({ length: n }, (_, i) => ({ t: iso(start + i * 1000), d: 1, LAeq: laeq + (i % 3), LCeq: 50, LZeq: 55, LAFmax: 45, LAFmin: 38, LASmax: 44, LCpeak: 70 })),
});
const status = (synced: boolean | null, offsetMs: number | null) => ({
  uptimeSeconds: 100, clock: { synced, offsetMs, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1_000_000, compactedRecords: 0 }, disk: null, temperatureC: null,
  mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120, config: { version: null, lastReceived: null }, capture: { source: 'wav', restarts: 0, lastError: null },
});
const started = (eventId: string, at: number) => ({ kind: 'started', eventId, ruleId: 'r1', ruleType: 'threshold', startedAt: iso(at), level: 70, threshold: 65 });
const ended = (eventId: string, at: number) => ({
  kind: 'ended', eventId, ruleId: 'r1', ruleType: 'threshold', startedAt: iso(at), endedAt: iso(at + 30_000), durationSeconds: 30, LAeq: 66.2, LAFmax: 71.5, LCminusLA: 6, backgroundLAF90: 22, threshold: 65, clipIds: [],
});
const incident = (eventId: string, at: number) => ({ kind: 'incident', eventId, at: iso(at), source: 'button', clipIds: [] });

const wav = (n: number, k: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * k) & 0xff));
const CHUNK = 1_000;
const manifest = (clipId: string, bytes: Buffer, eventId: string, at: number, sha = createHash('sha256').update(bytes).digest('hex')) => ({
  clipId, eventId, sha256: sha, bytes: bytes.length, chunks: Math.ceil(bytes.length / CHUNK), chunkBytes: CHUNK, sampleRate: 48_000, channels: 1, bitsPerSample: 16, fullScaleDb: 120,
  startedAt: iso(at), durationSeconds: 1, preTriggerSeconds: 0.5, postTriggerSeconds: 0.5,
});
const chunksOf = (b: Buffer): Buffer[] => Array.from({ length: Math.ceil(b.length / CHUNK) }, (_, i) => b.subarray(i * CHUNK, (i + 1) * CHUNK));

function msg(topic: string, payload: Buffer, clientId: string | null, k: number): Incoming {
  return { topic, payload, clientId, receivedAt: T0 + 120_000 + k * 10 };
}

/** The batches: what a fleet sends, with every way a message can be refused among them. */
function script(a: Dev, b: Dev): Incoming[][] {
  let k = 0;
  const m = (topic: string, payload: Buffer, clientId: string | null = topic.split('/')[2]!): Incoming => msg(topic, payload, clientId, k++);
  const first = m(topics.levels(a.id), a.sign('levels', levels(T0)));
  const forger = generateKeyPairSync('ed25519').privateKey;
  const good = wav(2_500, 7);
  const early = wav(1_800, 11); // its chunks come before its manifest
  const bad = wav(1_200, 13); // its manifest's hash is not its bytes'
  const [g0, g1, g2] = chunksOf(good) as [Buffer, Buffer, Buffer];
  return [
    [
      m(topics.status(a.id), a.sign('status', status(true, 5))),
      first,
      m(topics.event(a.id), a.sign('event', started('ev-a1', T0 + 5_000))),
      m(topics.status(b.id), b.sign('status', status(true, 3_500))),
      m(topics.event(b.id), b.sign('event', started('ev-b1', T0 + 6_000))),
    ],
    [
      first, // redelivered
      m(topics.levels(a.id), a.sign('levels', levels(T0 + 10_000))),
      m(topics.levels(a.id), a.sign('levels', levels(T0 + 5_000), 1)), // seq 1 again, other bytes
      m(topics.event(a.id), a.sign('event', ended('ev-a1', T0 + 5_000))),
      m(topics.event(a.id), a.sign('event', incident('inc-a1', T0 + 20_000))),
      m(topics.levels(b.id), b.sign('levels', levels(T0, 5, 50))),
      m(topics.levels(b.id), b.sign('levels', levels(T0 + 2_000, 10, 52))), // overlaps the last: stored once
    ],
    [
      m(topics.levels(a.id), a.sign('levels', levels(T0 + 40_000), undefined, forger)), // bad signature
      m(topics.levels(a.id), b.sign('levels', levels(T0 + 40_000)), b.id), // b publishing on a's topic
      m(`earshot/v1/${a.id}/nonsense`, Buffer.from('x')),
      m(topics.levels(a.id), a.sign('levels', levels(Date.parse('2019-06-01T00:00:00Z')))), // implausible time
      m(topics.status(a.id), a.sign('status', status(false, null))),
      m(topics.event(a.id), a.sign('event', started('ev-a2', T0 + 50_000))), // unsynchronised now
      m(topics.event(b.id), b.sign('event', incident('inc-b1', T0 + 51_000))),
    ],
    [
      m(topics.clip(a.id), a.sign('clip', manifest('clip-good', good, 'ev-a1', T0 + 5_000))),
      m(topics.clipChunk(a.id, 'clip-good', 0), g0),
      m(topics.clipChunk(a.id, 'clip-good', 1), g1),
      m(topics.clipChunk(a.id, 'clip-good', 1), g1), // again
      ...chunksOf(early).map((c, i) => m(topics.clipChunk(b.id, 'clip-early', i), c)),
      m(topics.clipChunk(a.id, 'clip-good', 5), g2), // past the manifest's chunks
      m(topics.clip(a.id), a.sign('clip', manifest('clip-bad', bad, 'ev-a2', T0 + 50_000, 'ab'.repeat(32)))),
      ...chunksOf(bad).map((c, i) => m(topics.clipChunk(a.id, 'clip-bad', i), c)),
    ],
    [
      m(topics.clipChunk(a.id, 'clip-good', 2), g2),
      m(topics.clip(b.id), b.sign('clip', manifest('clip-early', early, 'ev-b1', T0 + 6_000))),
      m(topics.clip(a.id), a.sign('clip', manifest('clip-good', bad, 'ev-a1', T0 + 5_000))), // a second manifest for the clip
    ],
    // Past the quota: counted, not kept.
    Array.from({ length: 6 }, (_, i) => m(topics.levels(b.id), Buffer.from(`garbage ${i} ${'x'.repeat(400)}`))),
  ];
}

const TABLES: Record<string, string> = {
  messages: 'SELECT device, seq, type, envelope_sha256, received_at FROM messages ORDER BY device, seq',
  status: 'SELECT device, seq, sent_at, received_at, clock_synced, clock_offset_ms, body FROM status ORDER BY device, seq',
  events: `SELECT device, seq, device_time, received_at, clock_synced, clock_offset_ms, clock_flag, event_id, kind, body, envelope, signature, case_ref, attach_reason, leaf_index
    FROM events ORDER BY device, seq`,
  levels: 'SELECT t, device, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak, clipped, silent, n, full_scale_db, seq FROM levels ORDER BY device, t',
  quarantine: 'SELECT received_at, client_id, device, topic, code, detail, raw, raw_bytes, raw_sha256, raw_dropped, raw_dropped_at FROM quarantine ORDER BY received_at, topic',
  overflow: 'SELECT device, code, day, messages, bytes, first_at, last_at FROM quarantine_overflow ORDER BY device, code, day',
  leaves: 'SELECT leaf_index, leaf, leaf_hash FROM evidence_leaves ORDER BY leaf_index',
  clips: `SELECT device, clip_id, seq, event_id, sha256, bytes, chunks, chunk_bytes, device_time, received_at, clock_synced, clock_offset_ms, clock_flag, case_ref, attach_reason, leaf_index,
    state, file, problem, body, envelope, signature FROM clips ORDER BY device, clip_id`,
  chunks: 'SELECT device, clip_id, n, data, received_at FROM clip_chunks ORDER BY device, clip_id, n',
};

const QUOTA = 6_000;
const normalise = (o: Outcome): unknown => (o.status === 'quarantined' ? { ...o, quarantineId: o.quarantineId === null ? null : 'row' } : o);

describe('the pipeline on PostgreSQL', () => {
  it('stores, refuses and logs every message as the SQLite pipeline does', async () => {
    const dir = fx.tempDir();
    const ingest = openIngest(join(dir, 'data'), () => T0);
    const keys = [generateKeyPairSync('ed25519'), generateKeyPairSync('ed25519')];
    const a = device('mon-a', keys[0]!.privateKey);
    const b = device('mon-b', keys[1]!.privateKey);
    ingest.registry.add(a.id, { publicKeyPem: keys[0]!.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    ingest.registry.add(b.id, { publicKeyPem: keys[1]!.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    openCase(ingest.cases, { ref: 'ASB-2026-0501', category: 'high-risk', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    startDeployment(ingest.cases, { caseRef: 'ASB-2026-0501', deviceId: a.id, installedAt: iso(T0 - 3_600_000), installedBy: 'Sam Patel' });
    const pool = await fx.pool();
    await copyStore({ db: ingest.db, clipsDir: ingest.dir.clips }, pool);

    const alerts: { sqlite: AlertEvent[]; postgres: AlertEvent[] } = { sqlite: [], postgres: [] };
    const onSqlite = createPipeline({
      db: ingest.db, dataDir: ingest.dir.root, pinnedKey: (id) => ingest.registry.publicKey(id), attacher: ingest.attacher, log: ingest.log,
      alert: (e) => alerts.sqlite.push(e), logger: quiet, quotas: { quarantineBytesPerDevice: QUOTA },
    });
    const onPostgres = createPostgresPipeline({
      pool, pinnedKey: (id) => ingest.registry.publicKey(id), levels: createPgLevelsWriter(), alert: (e) => alerts.postgres.push(e), logger: quiet,
      quarantineBytesPerDevice: QUOTA, now: () => T0,
    });
    for (const batch of script(a, b)) {
      const want = onSqlite.processBatch(batch).map(normalise);
      expect((await onPostgres.processBatch(batch)).map(normalise)).toEqual(want);
      // Both reassemble complete clips after the commit.
      await new Promise((r) => setImmediate(r));
      await onPostgres.idle();
    }
    for (const [name, sql] of Object.entries(TABLES)) {
      const lite = ingest.db.prepare(sql).all();
      const rows = (await pool.query(sql)).rows;
      expect({ name, rows }).toEqual({ name, rows: lite });
    }
    // What the script is for: each kind of outcome and row is there.
    const counts = Object.fromEntries(await Promise.all(Object.keys(TABLES).map(async (t) => [t, ingest.db.prepare(`SELECT count(*) AS n FROM (${TABLES[t]})`).get() as { n: number }])));
    expect(Object.fromEntries(Object.entries(counts).map(([t, r]) => [t, (r as { n: number }).n]))).toMatchObject({ events: 6, status: 3, clips: 3, chunks: 2 });
    expect((ingest.db.prepare('SELECT count(*) AS n FROM quarantine_overflow').get() as { n: number }).n).toBeGreaterThan(0);
    expect((ingest.db.prepare("SELECT count(*) AS n FROM events WHERE case_ref = 'ASB-2026-0501'").get() as { n: number }).n).toBe(4);
    expect(await postgresEvidenceLog(pool).root()).toEqual(ingest.log.root());
    // The reassembled clips: the same bytes in the clips folder and in clip_files; one complete, one corrupt.
    const states = ingest.db.prepare('SELECT clip_id, state, file FROM clips ORDER BY clip_id').all() as { clip_id: string; state: string; file: string | null }[];
    expect(states.map((x) => [x.clip_id, x.state])).toEqual([['clip-bad', 'corrupt'], ['clip-early', 'complete'], ['clip-good', 'complete']]);
    const files = (await pool.query<{ file: string; data: Buffer }>('SELECT file, data FROM clip_files ORDER BY file')).rows;
    expect(files.map((x) => x.file)).toEqual(states.filter((x) => x.file !== null).map((x) => x.file!).sort());
    for (const x of files) expect(x.data.equals(readFileSync(join(ingest.dir.clips, x.file)))).toBe(true);
    expect(alerts.postgres).toEqual(alerts.sqlite);
    expect(alerts.sqlite.length).toBeGreaterThan(0);
    ingest.close();
  }, 120_000);

  it('stores nothing of a batch that cannot commit, so none of it may be acknowledged', async () => {
    const dir = fx.tempDir();
    const ingest = openIngest(join(dir, 'data'), () => T0);
    const key = generateKeyPairSync('ed25519');
    const a = device('mon-a', key.privateKey);
    ingest.registry.add(a.id, { publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    const pool = await fx.pool();
    await copyStore({ db: ingest.db, clipsDir: ingest.dir.clips }, pool);
    const p = createPostgresPipeline({ pool, pinnedKey: (id) => ingest.registry.publicKey(id), levels: createPgLevelsWriter(), alert: () => undefined, logger: quiet });
    // Another process stores seq 1 between this batch's read of the ledger and its commit: the primary key refuses the batch.
    const batch = [msg(topics.levels(a.id), a.sign('levels', levels(T0)), a.id, 0), msg(topics.levels(a.id), a.sign('levels', levels(T0 + 10_000)), a.id, 1)];
    await pool.query(`CREATE FUNCTION earshot_test_race() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF pg_trigger_depth() = 1 THEN INSERT INTO messages VALUES ('mon-a', 1, 'levels', '\\x00'::bytea, 0); END IF; RETURN NULL; END $$`);
    await pool.query('CREATE TRIGGER earshot_test_race BEFORE INSERT ON messages FOR EACH STATEMENT EXECUTE FUNCTION earshot_test_race()');
    await expect(p.processBatch(batch)).rejects.toThrow();
    for (const t of ['levels', 'status', 'quarantine']) expect((await pool.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM messages')).rows[0].n).toBe(0);
    ingest.close();
  }, 60_000);
});
