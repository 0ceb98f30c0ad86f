/**
 * Issue 19: the level rollups kept per batch by the levels writer instead of a
 * trigger per record. Whatever path stores the records — the full ingest
 * pipeline, a redelivery, an overlapping batch, compacted records, digital
 * silence, records out of order, a purge, an upgrade from the trigger — the
 * rollup tables must equal a fresh GROUP BY over `levels`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Envelope, type LevelRecord, type LevelsBody, signEnvelope, topics } from '@earshot/shared';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Migration } from '../../src/db/migrate.ts';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { createDeviceRegistry } from '../../src/devices/registry.ts';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { storeMigrations } from '../../src/store/migrations.ts';
import { ROLLUP_TIERS, timelineMigrations } from '../../src/timeline/migrations.ts';
import { rollupMode } from '../../src/timeline/rollup-batch.ts';

// Ten minutes before a ten-minute boundary (and so a minute boundary too), a week before "receipt".
const T0 = Date.parse('2026-11-10T21:50:00.000Z');
const RECEIVED = T0 + 7 * 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function openDb(migrations: readonly Migration[], dir = mkdtempSync(join(tmpdir(), 'earshot-rollups-'))): Db {
  if (!dirs.includes(dir)) dirs.push(dir);
  const db = openDatabase(join(dir, 'earshot.db'), migrations);
  dbs.push(db);
  return db;
}

/** A level record; `l` null for digital silence. */
function rec(t: number, l: number | null, extra: Partial<LevelRecord> = {}): LevelRecord {
  return l === null
    ? { t: iso(t), d: 1, LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, silent: true, ...extra }
    : { t: iso(t), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 12, LAFmax: l + 4.5, LAFmin: l - 3.25, LASmax: l + 2, LCpeak: l + 30, ...extra };
}

/** Ten seconds of levels from `start`, with a spread of 1 dB bins. */
function tenSeconds(start: number, base = 40): LevelRecord[] {
  return Array.from({ length: 10 }, (_, i) => rec(start + i * 1000, base + ((i * 37) % 23) / 2.3));
}

type Row = Record<string, number | string | null>;

/** What the rollups must hold: the GROUP BY of timeline-001's backfill, written out here independently. */
function fresh(db: Db, table: string, ms: number): { buckets: Row[]; bins: Row[] } {
  const start = `t - (t % ${ms})`;
  return {
    buckets: db.prepare(`SELECT device, ${start} AS start, total(CASE WHEN laeq IS NULL THEN 0 ELSE d END) AS seconds,
        total(CASE WHEN laeq IS NULL THEN 0 ELSE d * pow(10, laeq / 10) END) AS energy, count(*) AS records, sum(silent) AS silent,
        max(lafmax) AS lafmax, min(lafmin) AS lafmin
      FROM levels GROUP BY device, ${start} ORDER BY device, start`).all() as Row[],
    bins: db.prepare(`SELECT device, ${start} AS start, CAST(floor(laeq) AS INTEGER) AS bin, total(d) AS seconds
      FROM levels WHERE laeq IS NOT NULL GROUP BY device, ${start}, bin ORDER BY device, start, bin`).all() as Row[],
  };
}

/**
 * The rollups equal a fresh GROUP BY: keys, counts, seconds, bins and extremes exactly; energy to a relative 1e-12,
 * since the sums are added in another order than SQLite's (the last bits of a double). One missing 20 dB second in a
 * minute of 80 dB moves a bucket's energy by 1e-8 of itself, far outside that.
 */
function expectExact(db: Db): void {
  for (const { table, ms } of ROLLUP_TIERS) {
    const want = fresh(db, table, ms);
    const buckets = db.prepare(`SELECT device, start, seconds, energy, records, silent, lafmax, lafmin FROM ${table} ORDER BY device, start`).all() as Row[];
    const bins = db.prepare(`SELECT device, start, bin, seconds FROM ${table}_hist ORDER BY device, start, bin`).all() as Row[];
    expect(buckets.map(({ energy: _, ...k }) => k), table).toEqual(want.buckets.map(({ energy: _, ...k }) => k));
    buckets.forEach((b, i) => {
      const e = want.buckets[i]!.energy as number;
      expect(Math.abs((b.energy as number) - e), `${table} ${String(b.device)} ${String(b.start)} energy`).toBeLessThanOrEqual(1e-12 * Math.max(e, 1e-300));
    });
    expect(bins, `${table}_hist`).toEqual(want.bins);
  }
}

interface Ingest {
  db: Db;
  pipeline: Pipeline;
  send(seq: number, records: LevelRecord[]): string;
  resend(payload: Buffer): string;
  signed(seq: number, records: LevelRecord[]): Buffer;
}

/** The service's schema and the real pipeline (verify → validate → dedupe → check-time → store), one pinned device. */
function ingest(): Ingest {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-rollups-'));
  dirs.push(dir);
  const db = openDb(ALL_MIGRATIONS, dir);
  const registry = createDeviceRegistry(db);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  registry.add('mon-1', { publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() });
  const pipeline = createPipeline({
    db, dataDir: dir, pinnedKey: (id) => registry.publicKey(id),
    attacher: { attach: () => ({ caseRef: null, reason: 'no deployment' }) },
    log: { append: () => ({ leafIndex: 0 }) }, alert: () => undefined, logger: pino({ level: 'silent' }),
  });
  const signed = (seq: number, records: LevelRecord[]): Buffer => {
    const env: Envelope<LevelsBody> = { v: 1, device: 'mon-1', seq, sentAt: iso(RECEIVED), type: 'levels', body: { fullScaleDb: 120, records } };
    return signEnvelope(env, privateKey);
  };
  const resend = (payload: Buffer): string => pipeline.process({ topic: topics.levels('mon-1'), payload, clientId: 'mon-1', receivedAt: RECEIVED }).status;
  return { db, pipeline, signed, resend, send: (seq, records) => resend(signed(seq, records)) };
}

const count = (db: Db, sql: string): number => (db.prepare(sql).get() as { n: number }).n;

describe('level rollups kept per batch (issue 19)', () => {
  it('drops the per-record insert trigger and keeps the delete trigger', () => {
    const db = openDb(ALL_MIGRATIONS);
    const triggers = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'levels' ORDER BY name").all();
    // The level blocks' own delete trigger (store/level-blocks) beside the rollups'; no trigger runs per inserted record.
    expect(triggers.map((t) => t.name)).toEqual(['levels_blocks_delete', 'levels_rollup_delete']);
    expect(triggers.filter((t) => /AFTER\s+INSERT/i.test(t.sql))).toEqual([]);
    expect(rollupMode(db)).toBe('batch');
    expect(rollupMode(openDb(storeMigrations))).toBe('none');
    expect(rollupMode(openDb([...storeMigrations, ...timelineMigrations.slice(0, 1)]))).toBe('trigger');
  });

  it('matches a fresh GROUP BY after the full ingest path: batches across minute and ten-minute boundaries, compacted records, silence, gaps in the extremes, a record out of order', () => {
    const { db, send } = ingest();
    let seq = 0;
    // Twenty minutes of ten-second batches straddling 22:00 (a ten-minute boundary).
    for (let s = 0; s < 1200; s += 10) expect(send(seq++, tenSeconds(T0 + s * 1000, 30 + (s % 97) / 3))).toBe('stored');
    // Compacted records (d > 1, DESIGN §4 outbox compaction), each counted in the block it starts in, one across a boundary.
    const later = T0 + 1800_000;
    expect(send(seq++, [rec(later, 55.5, { d: 30, n: 30 }), rec(later + 30_000, 61.2, { d: 45, n: 45 }), rec(later + 75_000, 48, { d: 90, n: 90 })])).toBe('stored');
    // Digital silence; a minute of it alone; LAFmax/LAFmin missing on a record with a level.
    const silentMinute = Array.from({ length: 10 }, (_, i) => rec(T0 + 3600_000 + i * 1000, null));
    expect(send(seq++, silentMinute)).toBe('stored');
    expect(send(seq++, [rec(T0 + 3660_000, null), rec(T0 + 3661_000, 72.4, { LAFmax: null, LAFmin: null }), rec(T0 + 3662_000, 33.3)])).toBe('stored');
    // A batch out of time order, across two minutes: each block is written more than once, still exactly.
    expect(send(seq++, [rec(T0 + 3725_000, 50), rec(T0 + 3715_000, 41.9), rec(T0 + 3729_000, 50.1), rec(T0 + 3719_000, 88)])).toBe('stored');
    expect(count(db, 'SELECT count(*) AS n FROM levels')).toBe(1200 + 3 + 10 + 3 + 4);
    expect(count(db, 'SELECT sum(records) AS n FROM levels_1m')).toBe(1220);
    expect(count(db, 'SELECT sum(records) AS n FROM levels_10m')).toBe(1220);
    expect(db.prepare('SELECT silent, seconds, lafmax FROM levels_1m WHERE start = ?').get(T0 + 3600_000)).toEqual({ silent: 10, seconds: 0, lafmax: null });
    expect(db.prepare('SELECT seconds, records FROM levels_1m WHERE start = ?').get(later + 60_000)).toEqual({ seconds: 90, records: 1 });
    expectExact(db);
  });

  it('counts nothing twice: a redelivered batch, and a new batch overlapping records already stored', () => {
    const { db, send, resend, signed } = ingest();
    const first = signed(0, tenSeconds(T0 + 55_000));
    expect(resend(first)).toBe('stored');
    expect(resend(first)).toBe('duplicate');
    // Seq 1 repeats five of seq 0's seconds with other levels: they are kept as first stored, and counted once.
    expect(send(1, tenSeconds(T0 + 60_000, 70))).toBe('stored');
    expect(count(db, 'SELECT count(*) AS n FROM levels')).toBe(15);
    expect(count(db, 'SELECT sum(records) AS n FROM levels_1m')).toBe(15);
    expect(db.prepare('SELECT records FROM levels_1m WHERE start = ?').get(T0)).toEqual({ records: 5 });
    expectExact(db);
  });

  it('stays exact through the retention purge and what is stored after it', () => {
    const { db, send } = ingest();
    let seq = 0;
    for (let s = 0; s < 900; s += 10) send(seq++, tenSeconds(T0 + s * 1000, 35 + (s % 41)));
    // A stretch and single records — including the loudest of a block — go (the delete trigger).
    db.prepare('DELETE FROM levels WHERE t >= ? AND t < ?').run(T0 + 95_000, T0 + 305_000);
    const loudest = db.prepare('SELECT t FROM levels WHERE t >= ? ORDER BY lafmax DESC LIMIT 1').get(T0 + 600_000) as { t: number };
    db.prepare('DELETE FROM levels WHERE t = ? OR t % 7000 = 0').run(loudest.t);
    expectExact(db);
    // New records land in purged and half-purged blocks.
    expect(send(seq++, tenSeconds(T0 + 100_000, 80))).toBe('stored');
    expect(send(seq++, [rec(loudest.t, 20)])).toBe('stored');
    expectExact(db);
  });

  it('carries on exactly from rollups the trigger kept, across the upgrade', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-rollups-'));
    const before = [...storeMigrations, ...timelineMigrations.slice(0, 1)];
    const old = openDb(before, dir);
    // A writer made while the trigger is in place leaves the rollups to it.
    const w = createLevelsWriter(old);
    for (let s = 0; s < 300; s += 10) w.write('mon-1', s, { fullScaleDb: 120, records: tenSeconds(T0 + s * 1000) });
    expectExact(old);
    old.close();
    dbs.splice(dbs.indexOf(old), 1);
    const db = openDb([...storeMigrations, ...timelineMigrations], dir);
    const w2 = createLevelsWriter(db);
    // Outside a transaction the writer makes its own: the records and their rollups go together.
    for (let s = 300; s < 900; s += 10) w2.write('mon-1', s, { fullScaleDb: 120, records: tenSeconds(T0 + s * 1000, 60) });
    w2.write('mon-2', 0, { fullScaleDb: 120, records: Array.from({ length: 3600 }, (_, i) => rec(T0 + i * 1000, i % 211 === 5 ? null : 30 + (i % 50) / 1.7)) });
    expect(count(db, 'SELECT sum(records) AS n FROM levels_10m')).toBe(900 + 3600);
    expectExact(db);
  });

  it('a failed batch leaves neither its records nor their rollups', () => {
    const db = openDb([...storeMigrations, ...timelineMigrations]);
    const w = createLevelsWriter(db);
    w.write('mon-1', 0, { fullScaleDb: 120, records: tenSeconds(T0) });
    // The third record breaks a NOT NULL constraint (d): the whole write is undone.
    const bad = tenSeconds(T0 + 10_000).map((r, i) => (i === 2 ? { ...r, d: null as unknown as number } : r));
    expect(() => w.write('mon-1', 1, { fullScaleDb: 120, records: bad })).toThrow();
    expect(count(db, 'SELECT count(*) AS n FROM levels')).toBe(10);
    expectExact(db);
  });

  it('leaves no other way into levels: every INSERT INTO levels outside the writer is named here', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    // The writer itself; PostgreSQL's schema (its own triggers keep its rollups; store copy copies them).
    // bench/ingest-levels.ts times PostgreSQL's bare records insert beside the whole writer, in a throwaway database.
    const allowed = new Set(['ingest/src/store/levels.ts', 'bench/ingest-levels.ts']);
    const found: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|js|mjs|sql)$/.test(name) && /INSERT\s+(OR\s+\w+\s+)?INTO\s+"?levels"?\s*\(/i.test(readFileSync(p, 'utf8'))) found.push(relative(root, p));
      }
    };
    for (const d of ['ingest/src', 'ingest/test/pipeline/support', 'ingest/test/http', 'bench', 'scripts', 'test']) walk(join(root, d));
    expect(found.filter((f) => !allowed.has(f) && !f.startsWith('ingest/src/storage/postgres/'))).toEqual([]);
  });
});
