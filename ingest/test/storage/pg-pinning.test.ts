/**
 * Trust on first use and the release of held messages on PostgreSQL
 * (storage/postgres/ingest-batch/key-pins.ts, held-messages.ts) against the
 * SQLite pipeline: a device added without a key sends levels and an event
 * before its first status (held), a status that presents its key but fails
 * validation (its pin undone), then the status that pins it, then more. Both
 * stores end with the same rows, release marks included. And two processes
 * pinning two keys for one device at once: one wins, the other stores nothing.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { type Envelope, type SignedKind, signEnvelope, topics } from '@earshot/shared';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createPipeline } from '../../src/pipeline/pipeline.ts';
import type { Incoming, Outcome } from '../../src/pipeline/types.ts';
import { openIngest } from '../../src/service/open-ingest.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { openPgDeviceRegistry } from '../../src/storage/postgres/device-registry.ts';
import { postgresEvidenceLog } from '../../src/storage/postgres/evidence-log.ts';
import { createPostgresPipeline } from '../../src/storage/postgres/ingest-batch/postgres-pipeline.ts';
import { createPgLevelsWriter } from '../../src/storage/postgres/levels-writer.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const quiet = pino({ level: 'silent' });
const T0 = Date.parse('2026-11-24T22:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const pemOf = (k: KeyObject): string => k.export({ format: 'pem', type: 'spki' }).toString();

function signer(id: string, key: KeyObject) {
  let seq = 0;
  return (type: SignedKind, body: unknown, o: { seq?: number; key?: KeyObject } = {}): Buffer => {
    const env: Envelope<unknown> = { v: 1, device: id, seq: o.seq ?? seq++, sentAt: iso(T0 + 60_000), type, body };
    return signEnvelope(env, o.key ?? key);
  };
}

const levels = (start: number, n = 5) => ({
  fullScaleDb: 120,
  records: Array.from({ length: n }, (_, i) => ({ t: iso(start + i * 1000), d: 1, LAeq: 40 + (i % 3), LCeq: 50, LZeq: 55, LAFmax: 45, LAFmin: 38, LASmax: 44, LCpeak: 70 })),
});
const status = (publicKeyPem?: string) => ({
  uptimeSeconds: 100, clock: { synced: true, offsetMs: 5, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1_000_000, compactedRecords: 0 }, disk: null, temperatureC: null,
  mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120, config: { version: null, lastReceived: null }, capture: { source: 'wav', restarts: 0, lastError: null },
  ...(publicKeyPem === undefined ? {} : { publicKeyPem }),
});
const started = (eventId: string, at: number) => ({ kind: 'started', eventId, ruleId: 'r1', ruleType: 'threshold', startedAt: iso(at), level: 70, threshold: 65 });
const incident = (eventId: string, at: number) => ({ kind: 'incident', eventId, at: iso(at), source: 'button', clipIds: [] });

const TABLES: Record<string, string> = {
  devices: 'SELECT id, public_key, key_pinned_at IS NOT NULL AS pinned FROM devices ORDER BY id',
  messages: 'SELECT device, seq, type, envelope_sha256, received_at FROM messages ORDER BY device, seq',
  status: 'SELECT device, seq, sent_at, received_at, clock_synced, clock_offset_ms, body FROM status ORDER BY device, seq',
  events: 'SELECT device, seq, device_time, received_at, event_id, kind, body, envelope, signature, case_ref, attach_reason, leaf_index FROM events ORDER BY device, seq',
  levels: 'SELECT t, device, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak, n, full_scale_db, seq FROM levels ORDER BY device, t',
  quarantine: `SELECT received_at, client_id, device, topic, code, detail, raw, raw_bytes, raw_sha256, raw_dropped, released_as, released_at IS NOT NULL AS released
    FROM quarantine ORDER BY received_at, topic`,
  leaves: 'SELECT leaf_index, leaf, leaf_hash FROM evidence_leaves ORDER BY leaf_index',
};

const normalise = (o: Outcome): unknown => (o.status === 'quarantined' ? { ...o, quarantineId: o.quarantineId === null ? null : 'row' } : o);

describe('key pinning on PostgreSQL', () => {
  it('pins at first use and releases the held messages as the SQLite pipeline does', async () => {
    const dir = fx.tempDir();
    const ingest = openIngest(join(dir, 'data'), () => T0);
    const key = generateKeyPairSync('ed25519');
    const forger = generateKeyPairSync('ed25519').privateKey;
    const id = 'mon-c';
    ingest.registry.add(id);
    const pool = await fx.pool();
    await copyStore({ db: ingest.db, clipsDir: ingest.dir.clips }, pool);
    const registry = await openPgDeviceRegistry(pool, { logger: quiet });

    const onSqlite = createPipeline({
      db: ingest.db, dataDir: ingest.dir.root, pinnedKey: (d) => ingest.registry.publicKey(d), attacher: ingest.attacher, log: ingest.log, alert: () => undefined, logger: quiet,
      pinning: { pin: (d, pem) => ingest.registry.pinPublicKey(d, pem), forget: (d) => ingest.registry.forgetCachedKey(d) },
    });
    const onPostgres = createPostgresPipeline({ pool, pinnedKey: (d) => registry.publicKey(d), levels: createPgLevelsWriter(), alert: () => undefined, logger: quiet, now: () => T0 });
    registry.onKeyPinned((d) => onPostgres.keyPinned(d));

    const sign = signer(id, key.privateKey);
    let k = 0;
    const m = (topic: string, payload: Buffer): Incoming => ({ topic, payload, clientId: id, receivedAt: T0 + 120_000 + k++ * 10 });
    const first = m(topics.levels(id), sign('levels', levels(T0)));
    const batches: Incoming[][] = [
      [
        first,
        m(topics.event(id), sign('event', started('ev-c1', T0 + 5_000))),
        m(topics.levels(id), sign('levels', levels(Date.parse('2019-06-01T00:00:00Z')))), // held, then refused again: implausible time
        m(topics.levels(id), sign('levels', levels(T0 + 10_000), { key: forger })), // held, then refused again: bad signature
        m(topics.status(id), sign('status', status())), // a status without its key: held too
      ],
      [
        m(topics.status(id), sign('status', { ...status(pemOf(key.publicKey)), uptimeSeconds: 'long' })), // presents its key, fails validation: no pin
        m(topics.levels(id), sign('levels', levels(T0 + 20_000))), // still held
        m(topics.status(id), sign('status', status(pemOf(key.publicKey)))), // pins
        m(topics.levels(id), sign('levels', levels(T0 + 30_000))), // verifies with the key pinned in this batch
        first, // sent again by the device: stored here, so its held copy is released as a duplicate
      ],
      [
        m(topics.event(id), sign('event', incident('inc-c1', T0 + 40_000))),
        m(topics.levels(id), sign('levels', levels(T0 + 50_000))),
      ],
    ];
    for (const batch of batches) {
      const want = onSqlite.processBatch(batch).map(normalise);
      expect((await onPostgres.processBatch(batch)).map(normalise)).toEqual(want);
      // SQLite releases held messages on the next turn; PostgreSQL queues them after the batch.
      await new Promise((r) => setImmediate(r));
      await onPostgres.idle();
    }
    // The registry's NOTIFY of this process's own pin releases nothing twice.
    await registry.refresh();
    await onPostgres.idle();
    expect(registry.get(id)?.publicKeyPem).toBe(ingest.registry.get(id)?.publicKeyPem);

    for (const [name, sql] of Object.entries(TABLES)) {
      const lite = ingest.db.prepare(sql).all() as Record<string, unknown>[];
      // SQLite answers a boolean expression as 0/1.
      const liteRows = lite.map((r) => Object.fromEntries(Object.entries(r).map(([c, v]) => [c, c === 'pinned' || c === 'released' ? v === 1 : v])));
      const rows = (await pool.query(sql)).rows;
      expect({ name, rows }).toEqual({ name, rows: liteRows });
    }
    const marks = (await pool.query<{ code: string; released_as: string | null }>('SELECT code, released_as FROM quarantine ORDER BY id')).rows;
    expect(marks).toEqual([
      ...['duplicate', 'stored', null, null, 'stored'].map((released_as) => ({ code: 'EARSHOT_E_KEY_NOT_PINNED', released_as })),
      { code: 'EARSHOT_E_BODY_INVALID', released_as: null }, // the status whose pin was undone
      { code: 'EARSHOT_E_KEY_NOT_PINNED', released_as: 'stored' },
    ]);
    expect(await postgresEvidenceLog(pool).root()).toEqual(ingest.log.root());
    await registry.close();
    ingest.close();
  }, 120_000);

  it('lets one of two processes pin a device key; the other batch fails and stores nothing', async () => {
    const dir = fx.tempDir();
    const ingest = openIngest(join(dir, 'data'), () => T0);
    const id = 'mon-d';
    ingest.registry.add(id);
    const pool = await fx.pool(undefined, 6);
    await copyStore({ db: ingest.db, clipsDir: ingest.dir.clips }, pool);
    ingest.close();
    // Neither process has seen the other's pin yet (their registries are behind): each verifies with the key its status presents.
    const pipeline = () => createPostgresPipeline({ pool, pinnedKey: () => null, levels: createPgLevelsWriter(), alert: () => undefined, logger: quiet, now: () => T0 });
    const [p1, p2] = [pipeline(), pipeline()];
    const keys = [generateKeyPairSync('ed25519'), generateKeyPairSync('ed25519')];
    const batchOf = (kp: (typeof keys)[number], n: number): Incoming[] => {
      const sign = signer(id, kp.privateKey);
      const at = T0 + 120_000 + n * 1_000;
      return [
        { topic: topics.status(id), payload: sign('status', status(pemOf(kp.publicKey))), clientId: id, receivedAt: at },
        { topic: topics.levels(id), payload: sign('levels', levels(T0 + n * 10_000)), clientId: id, receivedAt: at + 1 },
      ];
    };
    const settled = await Promise.allSettled([p1.processBatch(batchOf(keys[0]!, 0)), p2.processBatch(batchOf(keys[1]!, 1))]);
    await Promise.all([p1.idle(), p2.idle()]);
    const won = settled.findIndex((s) => s.status === 'fulfilled');
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = settled[1 - won] as PromiseRejectedResult;
    expect(String(lost.reason)).toMatch(/another process pinned another key/);
    const stored = (await pool.query<{ public_key: string }>('SELECT public_key FROM devices WHERE id = $1', [id])).rows[0]!.public_key;
    expect(stored).toBe(pemOf(keys[won]!.publicKey));
    // Only the winner's rows: its status and levels, nothing quarantined.
    expect((await pool.query('SELECT seq, received_at FROM messages ORDER BY seq')).rows).toEqual([
      { seq: 0, received_at: T0 + 120_000 + won * 1_000 }, { seq: 1, received_at: T0 + 120_000 + won * 1_000 + 1 },
    ]);
    expect((await pool.query('SELECT count(*)::int AS n FROM quarantine')).rows[0].n).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM levels')).rows[0].n).toBe(5);
    // The same key presented again by a process that has not seen it: fine, nothing to write.
    const again = await pipeline().processBatch([{ ...batchOf(keys[won]!, won)[0]!, receivedAt: T0 + 200_000 }]);
    expect(again.map((o) => o.status)).toEqual(['duplicate']);
  }, 60_000);

  it('undoes the pin of a status refused after its verify, and releases held messages when another process pins the key', async () => {
    const dir = fx.tempDir();
    const ingest = openIngest(join(dir, 'data'), () => T0);
    const id = 'mon-e';
    ingest.registry.add(id);
    const pool = await fx.pool();
    await copyStore({ db: ingest.db, clipsDir: ingest.dir.clips }, pool);
    ingest.close();
    const registry = await openPgDeviceRegistry(pool, { logger: quiet });
    const p = createPostgresPipeline({ pool, pinnedKey: (d) => registry.publicKey(d), levels: createPgLevelsWriter(), alert: () => undefined, logger: quiet, now: () => T0 });
    registry.onKeyPinned((d) => p.keyPinned(d));
    const key = generateKeyPairSync('ed25519');
    const sign = signer(id, key.privateKey);
    // Its seq 0 is already recorded with other bytes: the status that presents its key is refused at dedupe, so it pins nothing.
    await pool.query("INSERT INTO messages VALUES ('mon-e', 0, 'status', '\\x00'::bytea, 0)");
    const out = await p.processBatch([
      { topic: topics.status(id), payload: sign('status', status(pemOf(key.publicKey))), clientId: id, receivedAt: T0 },
      { topic: topics.levels(id), payload: sign('levels', levels(T0)), clientId: id, receivedAt: T0 + 1 },
    ]);
    expect(out.map((o) => (o.status === 'quarantined' ? o.code : o.status))).toEqual(['EARSHOT_E_SEQ_CONFLICT', 'EARSHOT_E_KEY_NOT_PINNED']);
    expect((await pool.query('SELECT public_key FROM devices')).rows).toEqual([{ public_key: null }]);
    // Another process pins it (as `earshot serve` elsewhere would): the NOTIFY reaches this registry, and the held levels are stored.
    await pool.query('UPDATE devices SET public_key = $1, key_pinned_at = $2, changed_at = $2 WHERE id = $3', [pemOf(key.publicKey), T0, id]);
    await registry.refresh();
    await p.idle();
    expect((await pool.query("SELECT code, released_as FROM quarantine ORDER BY id")).rows).toEqual([
      { code: 'EARSHOT_E_SEQ_CONFLICT', released_as: null }, { code: 'EARSHOT_E_KEY_NOT_PINNED', released_as: 'stored' },
    ]);
    expect((await pool.query('SELECT count(*)::int AS n FROM levels')).rows[0].n).toBe(5);
    await registry.close();
  }, 60_000);
});
