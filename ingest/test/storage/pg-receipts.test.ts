/**
 * Stored receipts on PostgreSQL (storage/postgres/receipt-coverage.ts): two
 * pipelines on two pools — two `earshot serve` processes sharing one store —
 * store a device's seqs between them, and each process's receipts cover the
 * seqs the other stored. A gap holds the mark, a clip manifest counts once its
 * chunks are all stored, marks are written (never lowered) and read back by a
 * new process, and every receipt opens with the server's key.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type Envelope, openReceipt, type SignedKind, signEnvelope, topics } from '@earshot/shared';
import type pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Incoming, Outcome } from '../../src/pipeline/types.ts';
import { type AsyncReceipts, createReceipts } from '../../src/receipts/index.ts';
import type { AsyncReceiptCoverage } from '../../src/receipts/coverage-port.ts';
import { createPostgresPipeline, type PostgresPipeline } from '../../src/storage/postgres/ingest-batch/postgres-pipeline.ts';
import { createPgLevelsWriter } from '../../src/storage/postgres/levels-writer.ts';
import { pgReceiptCoverage } from '../../src/storage/postgres/receipt-coverage.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const quiet = pino({ level: 'silent' });
const T0 = Date.parse('2026-11-24T22:00:00.000Z');
const NOW = T0 + 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const server = generateKeyPairSync('ed25519');
const deviceKey = generateKeyPairSync('ed25519');
const DEV = 'mon-a';

const sign = (type: SignedKind, body: unknown, seq: number): Buffer => {
  const env: Envelope<unknown> = { v: 1, device: DEV, seq, sentAt: iso(T0 + seq * 10_000), type, body };
  return signEnvelope(env, deviceKey.privateKey);
};
const msg = (topic: string, payload: Buffer, clientId = DEV): Incoming => ({ topic, payload, clientId, receivedAt: NOW });
const levels = (seq: number, device = DEV, key: KeyObject = deviceKey.privateKey): Incoming => {
  const body = { fullScaleDb: 120, records: [{ t: iso(T0 + seq * 10_000), d: 1, LAeq: 40, LCeq: 50, LZeq: 55, LAFmax: 45, LAFmin: 38, LASmax: 44, LCpeak: 70 }] };
  return msg(topics.levels(device), signEnvelope({ v: 1, device, seq, sentAt: iso(T0 + seq * 10_000), type: 'levels', body }, key), device);
};

interface Proc {
  readonly pipeline: PostgresPipeline;
  receipts: AsyncReceipts;
  readonly published: { topic: string; payload: Buffer }[];
  /** Stores the messages and tells this process's receipts, as serve does after each commit. */
  store(...msgs: Incoming[]): Promise<Outcome[]>;
  /** The `stored` of each receipt this process published for a device, each opened with the server key. */
  receipts_(device?: string): number[];
}

let url: Awaited<ReturnType<typeof fx.database>>;
const procs: Proc[] = [];

async function proc(opts: { window?: number; rate?: { burst: number; perSecond: number }; coverage?: (c: AsyncReceiptCoverage) => AsyncReceiptCoverage } = {}): Promise<Proc> {
  const pool: pg.Pool = await fx.pool(url.target);
  const published: { topic: string; payload: Buffer }[] = [];
  const pipeline = createPostgresPipeline({
    pool, pinnedKey: (id) => (id === DEV || id.startsWith('mon-') ? deviceKey.publicKey : null), levels: createPgLevelsWriter(), alert: () => undefined, logger: quiet, now: () => NOW,
  });
  const coverage = pgReceiptCoverage(pool, opts.window === undefined ? {} : { window: opts.window });
  const p: Proc = {
    pipeline,
    receipts: createReceipts({
      coverage: opts.coverage?.(coverage) ?? coverage, serverKey: server.privateKey, logger: quiet, markWriteMs: 3_600_000,
      publish: (topic, payload) => published.push({ topic, payload }), ...(opts.rate === undefined ? {} : { rate: opts.rate }),
    }),
    published,
    async store(...msgs) {
      const out = await pipeline.processBatch(msgs);
      await pipeline.idle();
      p.receipts.committed(msgs, out);
      return out;
    },
    receipts_(device = DEV) {
      return published.filter((x) => x.topic === topics.receipt(device)).map((x) => {
        const r = openReceipt(x.payload, server.publicKey, device);
        if (!r.ok) throw new Error(r.error.detail);
        return r.receipt.stored;
      });
    },
  };
  procs.push(p);
  return p;
}

/** What a process has published settles: its drains run on later turns, each after one query. */
const settled = async (p: Proc, want: number[], device = DEV): Promise<void> => {
  await vi.waitFor(() => expect(p.receipts_(device)).toEqual(want), { timeout: 5_000, interval: 10 });
};

const CHUNK = 1_000;
const wav = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff));
const manifest = (clipId: string, bytes: Buffer, sha = createHash('sha256').update(bytes).digest('hex')) => ({
  clipId, eventId: 'ev-1', sha256: sha, bytes: bytes.length, chunks: Math.ceil(bytes.length / CHUNK), chunkBytes: CHUNK, sampleRate: 48_000, channels: 1, bitsPerSample: 16, fullScaleDb: 120,
  startedAt: iso(T0 + 5_000), durationSeconds: 1, preTriggerSeconds: 0.5, postTriggerSeconds: 0.5,
});
const chunk = (clipId: string, bytes: Buffer, n: number): Incoming => msg(topics.clipChunk(DEV, clipId, n), bytes.subarray(n * CHUNK, (n + 1) * CHUNK));
const started = { kind: 'started', eventId: 'ev-1', ruleId: 'r1', ruleType: 'threshold', startedAt: iso(T0 + 5_000), level: 70, threshold: 65 };

beforeEach(async () => {
  url = await fx.database();
});
afterEach(async () => {
  // Before the fixture ends the pools.
  for (const p of procs.splice(0)) await p.receipts.close();
});

describe('stored receipts on PostgreSQL', () => {
  it('covers seqs stored by two processes as one contiguous run', async () => {
    const a = await proc();
    const b = await proc();
    await a.store(levels(0));
    await settled(a, [0]);
    await a.store(levels(2));
    await a.receipts.flush(); // its drain done: seq 1 is not yet stored anywhere, nothing new to receipt
    expect(a.receipts_()).toEqual([0]);
    await b.store(levels(1), levels(3)); // the other process fills the gap, and goes on
    // b's receipts read a's seqs 0 and 2 from the store.
    await settled(b, [3]);
    await a.store(levels(4));
    await settled(a, [0, 4]);
    expect(await a.receipts.mark(DEV)).toBe(4);
  });

  it('holds the mark at a gap until another process stores the missing seq', async () => {
    const a = await proc();
    const b = await proc();
    await a.store(levels(0), levels(1), levels(3));
    await settled(a, [1]);
    await a.store(levels(4));
    await a.receipts.flush();
    expect(a.receipts_()).toEqual([1]);
    await b.store(levels(2));
    await settled(b, [4]);
    await a.store(levels(5));
    await settled(a, [1, 5]);
  });

  it('counts a clip manifest only once every chunk is stored, from whichever process', async () => {
    const a = await proc();
    const b = await proc();
    const bytes = wav(2_500);
    await a.store(levels(0), msg(topics.event(DEV), sign('event', started, 1)), msg(topics.clip(DEV), sign('clip', manifest('clip-1', bytes), 2)), levels(3), chunk('clip-1', bytes, 0));
    await settled(a, [1]);
    // A process starting now, with no mark written, starts below the unfinished clip.
    const fresh = await proc();
    expect(await fresh.receipts.mark(DEV)).toBe(1);
    await b.store(chunk('clip-1', bytes, 1));
    await a.store(levels(4));
    await a.receipts.flush();
    expect(a.receipts_()).toEqual([1]);
    await b.store(chunk('clip-1', bytes, 2)); // the last chunk: b reassembles the clip
    expect((await (await fx.pool(url.target)).query<{ state: string }>("SELECT state FROM clips WHERE clip_id = 'clip-1'")).rows[0]!.state).toBe('complete');
    await a.store(levels(5));
    await settled(a, [1, 5]);
  });

  it('writes marks (never lowering one) and a new process reads them back, past a gap only the old one knew', async () => {
    const a = await proc();
    await a.store(levels(0), levels(1));
    await settled(a, [1]);
    // seq 2 is durably quarantined (its body is refused): a counts it, from memory only.
    const [bad] = await a.store(msg(topics.levels(DEV), sign('levels', { fullScaleDb: 120, records: [{ t: 'yesterday' }] }, 2)));
    expect(bad).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_BODY_INVALID' });
    await settled(a, [1, 2]);
    await a.store(levels(3));
    await settled(a, [1, 2, 3]);
    await a.receipts.close();
    const pool = await fx.pool(url.target);
    expect((await pool.query('SELECT device, stored FROM receipt_marks')).rows).toEqual([{ device: DEV, stored: 3 }]);
    // A process whose memory is behind does not lower it.
    await pgReceiptCoverage(pool).writeMarks(new Map([[DEV, 1]]), NOW);
    expect((await pool.query('SELECT stored FROM receipt_marks')).rows).toEqual([{ stored: 3 }]);

    // From the ledger alone the run would end at 1 (seq 2 is not in it); the stored mark says 3.
    const b = await proc();
    expect(await b.receipts.mark(DEV)).toBe(3);
    await b.store(levels(4));
    await settled(b, [4]);
    await b.receipts.close();
    expect((await pool.query('SELECT stored FROM receipt_marks')).rows).toEqual([{ stored: 4 }]);
  });

  it('walks a backlog longer than the window over several drains', async () => {
    const a = await proc({ window: 8 });
    const b = await proc({ window: 8 });
    await a.store(levels(0));
    await settled(a, [0]);
    // The other process stores seqs 1 … 19 (its receipts are not looked at here).
    await b.pipeline.processBatch(Array.from({ length: 19 }, (_, s) => levels(s + 1)));
    await a.store(levels(20));
    await settled(a, [0, 8, 16, 20]);
    // A flush goes through every window too: 21 … 39 from the other process, then seq 20 again (a duplicate).
    await b.pipeline.processBatch(Array.from({ length: 19 }, (_, s) => levels(s + 21)));
    expect((await a.store(levels(20)))[0]!.status).toBe('duplicate');
    await a.receipts.flush();
    expect(a.receipts_()).toEqual([0, 8, 16, 20, 28, 36, 39]);
  });

  it('runs one drain at a time: what is committed during its query waits for the next', async () => {
    let inFlight = 0;
    let most = 0;
    let loaded: () => void = () => undefined;
    const firstLoaded = new Promise<void>((r) => (loaded = r));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const a = await proc({
      coverage: (c) => ({
        ...c,
        async load(known) {
          most = Math.max(most, ++inFlight);
          try {
            const view = await c.load(known);
            loaded();
            await gate;
            return view;
          } finally {
            inFlight--;
          }
        },
      }),
    });
    await a.store(levels(0));
    await firstLoaded;
    await a.store(levels(1)); // committed while the first drain holds its view (seq 0 only)
    await new Promise((r) => setTimeout(r, 50));
    expect(a.receipts_()).toEqual([]);
    release();
    await settled(a, [0, 1]);
    expect(most).toBe(1);
  });

  it('signs no more receipts than its rate allows, and a device whose receipt changes nothing costs no token', async () => {
    // Two tokens and next to no refill: what is published beyond them shows what cost none.
    const a = await proc({ rate: { burst: 2, perSecond: 0.001 } });
    await a.store(levels(0, 'mon-x'));
    await settled(a, [0], 'mon-x');
    await a.store(levels(5, 'mon-x')); // above a gap: its drain takes the second token and sends nothing
    await new Promise((r) => setTimeout(r, 50));
    expect(a.published).toHaveLength(1);
    await a.store(levels(0, 'mon-y')); // the token x did not need
    await settled(a, [0], 'mon-y');
    await a.store(levels(0, 'mon-z')); // none left: it waits …
    await new Promise((r) => setTimeout(r, 50));
    expect(a.receipts_('mon-z')).toEqual([]);
    await a.receipts.flush(); // … except for a flush
    expect(a.receipts_('mon-z')).toEqual([0]);
    expect(a.published.map((p) => p.topic)).toEqual(['mon-x', 'mon-y', 'mon-z'].map((d) => topics.receipt(d)));
  });
});
