/**
 * The PostgreSQL levels writer (storage/postgres/levels-writer.ts) against
 * SQLite's (store/levels.ts): the same level messages, batch by batch, into a
 * real SQLite file and a real PostgreSQL (test/support/postgres.ts) — with and
 * without bands, duplicates within a message, within a batch and across
 * batches, null levels, silent and compacted records, records across hour
 * boundaries, messages adding to rollup rows already stored, a resend into a
 * sealed hour — store the same rows in every table, bit for bit, drop the same
 * level blocks and count the same records as new. Then the retention purge's
 * deletes (the delete triggers) keep the rollups equal.
 */
import { join } from 'node:path';
import type { LevelRecord, LevelsBody } from '@earshot/shared';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { createBlockSealer } from '../../src/store/level-blocks/seal-blocks.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { type LevelsItem, createPgLevelsWriter } from '../../src/storage/postgres/levels-writer.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const HOUR = 3_600_000;
/** 22:59:20 UTC: the first messages cross 23:00, an hour (and a ten-minute and a minute) boundary. */
const T0 = Date.parse('2026-03-01T22:59:20.000Z');

/** A level with two decimals, varying with i (deterministic). */
const lv = (i: number, base: number): number => Math.round((base + ((i * 7919) % 2311) / 97) * 100) / 100;

function record(t: number, i: number, o: { bands?: boolean; f0?: '10' | '25' } = {}): LevelRecord {
  const r: LevelRecord = { t: new Date(t).toISOString(), d: 1, LAeq: lv(i, 30), LCeq: lv(i + 1, 40), LZeq: lv(i + 2, 45), LAFmax: lv(i + 3, 50), LAFmin: lv(i + 4, 20), LASmax: lv(i + 5, 45), LCpeak: lv(i + 6, 70) };
  if (i % 13 === 5) r.LAeq = null; // a level null (digital silence in one weighting)
  if (i % 11 === 3) r.clipped = i % 4;
  if (i % 29 === 7) Object.assign(r, { LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, silent: true });
  if (o.bands === true) {
    const f0 = o.f0 ?? '10';
    const n = f0 === '10' ? 31 : 27;
    r.Z3 = { f0, dB10: Array.from({ length: n }, (_, k) => ((i + k) % 17 === 0 ? null : 150 + ((i * 7 + k * 13) % 600))) };
  }
  return r;
}

/** `count` 1 s records from `t` (ms), numbered from `i`. */
function message(device: string, seq: number, t: number, i: number, count: number, o: { bands?: boolean; f0?: '10' | '25' } = {}): LevelsItem {
  const records = Array.from({ length: count }, (_, k) => record(t + k * 1000, i + k, o));
  return { device, seq, body: { fullScaleDb: 120 - (seq % 3) * 0.5, records } };
}

const TABLES: Record<string, string> = {
  levels: 'SELECT * FROM levels ORDER BY t, device',
  level_bands: 'SELECT * FROM level_bands ORDER BY t, device',
  level_bands_10m: 'SELECT device, start, records, energy, seconds FROM level_bands_10m ORDER BY device, start',
  levels_1m: 'SELECT * FROM levels_1m ORDER BY device, start',
  levels_10m: 'SELECT * FROM levels_10m ORDER BY device, start',
  levels_1m_hist: 'SELECT * FROM levels_1m_hist ORDER BY device, start, bin',
  levels_10m_hist: 'SELECT * FROM levels_10m_hist ORDER BY device, start, bin',
  level_blocks: 'SELECT device, hour_ms, rows, first_ms, end_ms, full_scale_db, sealed_at, data FROM level_blocks ORDER BY device, hour_ms',
};

async function expectSameRows(db: Db, pool: pg.Pool, when: string): Promise<void> {
  for (const [table, sql] of Object.entries(TABLES)) {
    const lite = db.prepare(sql).all();
    const post = (await pool.query(sql)).rows;
    // toEqual compares numbers with Object.is: every double bit for bit (and -0 apart from 0).
    expect(post, `${table} ${when}`).toEqual(lite);
  }
}

describe('PostgreSQL levels writer', () => {
  it('stores what SQLite\'s levels writer stores: records, bands, rollups, band sums and level blocks, bit for bit', async () => {
    const db = openDatabase(join(fx.tempDir(), 'earshot.db'), ALL_MIGRATIONS);
    const pool = await fx.pool();
    const lite = createLevelsWriter(db);
    const post = createPgLevelsWriter();
    const liteBatch = db.transaction((items: readonly LevelsItem[]) => items.map((m) => lite.write(m.device, m.seq, m.body)));
    const write = async (items: LevelsItem[]): Promise<number[]> => {
      const expected = liteBatch(items);
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const got = await post.write(c, items);
        await c.query('COMMIT');
        expect(got).toEqual(expected);
        return got;
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      } finally {
        c.release();
      }
    };

    // Batch 1: two monitors, one with bands; across 23:00; a record twice in one message (the first kept), and a
    // message repeating two records of the one before it in the same batch.
    const dup = message('mon-a', 3, T0 + 30_000, 30, 10, { bands: true });
    const dupBody: LevelsBody = { ...dup.body, records: [...dup.body.records.slice(0, 4), { ...dup.body.records[2]!, LAeq: 99.99 }, ...dup.body.records.slice(4)] };
    const batch1 = [
      message('mon-a', 1, T0, 0, 10, { bands: true }),
      message('mon-b', 1, T0, 0, 10),
      message('mon-a', 2, T0 + 10_000, 10, 10, { bands: true }),
      message('mon-b', 2, T0 + 10_000, 10, 10),
      message('mon-a', 2, T0 + 20_000, 20, 10, { bands: true }),
      { ...dup, body: dupBody },
      { device: 'mon-b', seq: 3, body: { fullScaleDb: 119, records: [...message('mon-b', 3, T0 + 15_000, 15, 2).body.records, ...message('mon-b', 3, T0 + 20_000, 20, 8).body.records] } },
    ];
    expect(await write(batch1)).toEqual([10, 10, 10, 10, 10, 10, 8]);
    await expectSameRows(db, pool, 'after the first batch');

    // Batch 2: resends of the first batch (nothing new), then messages adding to the minute, ten-minute and bin rows
    // already stored — several to the same rows in one batch — and a compacted record (d 10, n 10) without bands.
    const compacted = message('mon-b', 5, T0 + 60_000, 60, 1);
    compacted.body.records[0] = { ...compacted.body.records[0]!, d: 10, n: 10 };
    const batch2 = [
      batch1[0]!,
      batch1[3]!,
      message('mon-a', 4, T0 + 40_000, 40, 10, { bands: true }),
      message('mon-a', 5, T0 + 50_000, 50, 10, { bands: true, f0: '25' }),
      message('mon-b', 4, T0 + 30_000, 30, 10),
      compacted,
      message('mon-a', 6, T0 + 60_000, 60, 10, { bands: true }),
    ];
    expect(await write(batch2)).toEqual([0, 0, 10, 10, 10, 1, 10]);
    await expectSameRows(db, pool, 'after the second batch');

    // Many batches of a monitor's stream (50 messages a transaction), the rows of each minute summed over several.
    let seq = 10;
    for (let b = 0; b < 3; b++) {
      const items = Array.from({ length: 50 }, (_, k) => message('mon-a', seq++, T0 + 70_000 + (b * 50 + k) * 10_000, 70 + (b * 50 + k) * 10, 10, { bands: k % 5 !== 0 }));
      await write(items);
    }
    await expectSameRows(db, pool, 'after a stream of batches');

    // Seal 22:00 and 23:00 of mon-a, and 22:00 of mon-b (SQLite's sealer; PostgreSQL gets the same block rows).
    const sealer = createBlockSealer(db);
    const hour22 = T0 - (T0 % HOUR);
    const now = hour22 + 3 * HOUR;
    for (const h of [{ device: 'mon-a', hourMs: hour22 }, { device: 'mon-a', hourMs: hour22 + HOUR }, { device: 'mon-b', hourMs: hour22 }]) expect(await sealer.seal(h, now)).toBeGreaterThan(0);
    for (const r of db.prepare<[], Record<string, unknown>>('SELECT * FROM level_blocks').all()) {
      await pool.query('INSERT INTO level_blocks (device, hour_ms, rows, first_ms, end_ms, full_scale_db, sealed_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [r['device'], r['hour_ms'], r['rows'], r['first_ms'], r['end_ms'], r['full_scale_db'], r['sealed_at'], r['data']]);
    }
    await expectSameRows(db, pool, 'after sealing');
    expect((await pool.query('SELECT count(*)::int AS n FROM level_blocks')).rows[0]).toEqual({ n: 3 });

    // Batch 3: mon-a resends a message of 22:59 with one record it had missed (a late record into a sealed hour:
    // its block goes); mon-b resends only records already stored (its sealed block stays).
    const late = message('mon-a', 2, T0 + 10_000, 10, 10, { bands: true });
    late.body.records.push(record(T0 - 5_000, 900, { bands: true }));
    expect(await write([late, batch1[1]!])).toEqual([1, 0]);
    await expectSameRows(db, pool, 'after the late record');
    expect((await pool.query('SELECT device, hour_ms FROM level_blocks ORDER BY 1, 2')).rows).toEqual([{ device: 'mon-a', hour_ms: hour22 + HOUR }, { device: 'mon-b', hour_ms: hour22 }]);

    // The retention purge's deletes: the delete triggers take the records out of the rollups and drop the blocks.
    const purge = `DELETE FROM levels WHERE t < ${T0 + 45_000} OR (t >= ${T0 + 300_000} AND t < ${T0 + 420_000} AND device = 'mon-a')`;
    db.exec(purge);
    await pool.query(purge);
    await expectSameRows(db, pool, 'after the purge');
    db.close();
  }, 120_000);

  it('adds to the rows another writer made between its lock and its write, as SQLite adds one message after the other', async () => {
    const db = openDatabase(join(fx.tempDir(), 'earshot.db'), ALL_MIGRATIONS);
    const pool = await fx.pool(undefined, 4);
    const lite = createLevelsWriter(db);
    const w = createPgLevelsWriter();
    // Two messages of one monitor in the same minute, ten-minute block and bins, as two ingest processes may get them.
    const first = message('mon-r', 1, T0 + 60_000, 0, 10, { bands: true });
    const second = message('mon-r', 2, T0 + 70_000, 0, 10, { bands: true });
    lite.write(first.device, first.seq, first.body);
    lite.write(second.device, second.seq, second.body);
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await b.query('BEGIN');
      expect(await w.write(b, [first])).toEqual([10]);
      const pid = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await a.query('BEGIN');
      // The second writer locks before the first commits (the rows it made are not yet visible), then waits on them.
      const writing = w.write(a, [second]);
      for (let waited = 0; ; waited += 20) {
        const s = await pool.query<{ w: string | null }>('SELECT wait_event_type AS w FROM pg_stat_activity WHERE pid = $1', [pid]);
        if (s.rows[0]?.w === 'Lock') break;
        if (waited > 10_000) throw new Error('the second writer never waited for the first');
        await new Promise((r) => setTimeout(r, 20));
      }
      await b.query('COMMIT');
      expect(await writing).toEqual([10]);
      await a.query('COMMIT');
    } finally {
      a.release();
      b.release();
    }
    await expectSameRows(db, pool, 'after two writers at once');
    db.close();
  }, 60_000);

  it('drops the band block of an hour it adds a record to, where the store has band blocks', async () => {
    const pool = await fx.pool();
    // The table as SQLite's store/band-blocks keeps it; made here, before the writer's first batch, on stores without it.
    await pool.query('CREATE TABLE IF NOT EXISTS band_blocks (device text NOT NULL, hour_ms bigint NOT NULL, rows bigint NOT NULL, sealed_at bigint NOT NULL, data bytea NOT NULL, PRIMARY KEY (device, hour_ms))');
    const hour = T0 - (T0 % HOUR);
    await pool.query("INSERT INTO band_blocks VALUES ('mon-d', $1, 1, 0, '\\x00'), ('mon-d', $2, 1, 0, '\\x00'), ('mon-e', $1, 1, 0, '\\x00')", [hour, hour + HOUR]);
    const w = createPgLevelsWriter();
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      expect(await w.write(c, [message('mon-d', 1, T0 - 10_000, 0, 5, { bands: true })])).toEqual([5]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    expect((await pool.query('SELECT device, hour_ms FROM band_blocks ORDER BY 1, 2')).rows).toEqual([{ device: 'mon-d', hour_ms: hour + HOUR }, { device: 'mon-e', hour_ms: hour }]);
  }, 60_000);

  it('adds nothing for a batch whose records are all stored, and a batch rolled back stores nothing', async () => {
    const pool = await fx.pool();
    const w = createPgLevelsWriter();
    const items = [message('mon-c', 1, T0, 0, 10, { bands: true })];
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      expect(await w.write(c, items)).toEqual([10]);
      await c.query('ROLLBACK');
      for (const t of ['levels', 'level_bands', 'level_bands_10m', 'levels_1m', 'levels_10m_hist']) expect((await c.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0], t).toEqual({ n: 0 });
      await c.query('BEGIN');
      expect(await w.write(c, items)).toEqual([10]);
      await c.query('COMMIT');
      const before = (await c.query('SELECT * FROM levels_1m')).rows;
      await c.query('BEGIN');
      expect(await w.write(c, [...items, ...items])).toEqual([0, 0]);
      await c.query('COMMIT');
      expect((await c.query('SELECT * FROM levels_1m')).rows).toEqual(before);
      expect((await c.query('SELECT sum(records)::int AS n FROM levels_10m')).rows[0]).toEqual({ n: 10 });
    } finally {
      c.release();
    }
  }, 60_000);
});
