/**
 * Sealing level and band blocks on PostgreSQL (storage/postgres/block-sealer.ts):
 * from the same records, the same hours sealed into the same bytes as SQLite's
 * sealer makes (an hour the band codec cannot pack included); a stale block
 * sealed again; an hour whose block the levels writer holds left for the next
 * pass without waiting; the retention purge and a seal never at once; and the
 * background job sealing only in the process that holds its lease.
 */
import { join } from 'node:path';
import type { LevelRecord } from '@earshot/shared';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { runPurge } from '../../src/retention/purge.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { retentionSteps } from '../../src/service/retention-steps.ts';
import { UNPACKABLE } from '../../src/store/band-blocks/seal.ts';
import { createBlockSealer, sealPass, startLevelBlockSealer } from '../../src/store/level-blocks/index.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { EARSHOT_LOCK_CLASS, LOCK } from '../../src/storage/postgres/advisory-locks.ts';
import { postgresBlockSealer } from '../../src/storage/postgres/block-sealer.ts';
import { purgeExportJobs } from '../../src/storage/postgres/export-jobs.ts';
import { postgresPurgeStore } from '../../src/storage/postgres/purge-store.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const HOUR = 3_600_000;
const T0 = Date.parse('2026-10-24T22:00:00.000Z');
const HOURS = 3;
const NOW = T0 + 2 * 24 * HOUR;

const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

/** `HOURS` hours of 1 s records for mon-a (bands on most, a few compacted), two for mon-b (no bands), one record of mon-a's that the band codec cannot pack. */
function embedded(): { db: Db; clipsDir: string } {
  const dir = fx.tempDir();
  const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
  dbs.push(db);
  const w = createLevelsWriter(db);
  const records = (device: string, hours: number, bands: boolean): void => {
    const sent: LevelRecord[] = [];
    let i = 0;
    for (let t = T0; t < T0 + hours * HOUR; i++) {
      const d = i % 211 === 7 ? 10 : 1;
      const l = 30 + (i % 20);
      const r: LevelRecord = { t: new Date(t + (t >= T0 + HOUR ? 250 : 0)).toISOString(), d, LAeq: l, LCeq: l + 5, LZeq: i % 40 === 0 ? null : l + 8, LAFmax: l + 4, LAFmin: l - 3, LASmax: l + 2, LCpeak: l + 25 };
      if (d > 1) r.n = d;
      if (bands && i % 50 !== 9) r.Z3 = { f0: '10', dB10: Array.from({ length: 31 }, (_, k) => ((i + k) % 13 === 0 ? null : -50 + ((i * 37 + k * 11) % 1001))) };
      sent.push(r);
      t += d * 1000;
    }
    for (let k = 0; k < sent.length; k += 600) w.write(device, k, { fullScaleDb: 120, records: sent.slice(k, k + 600) });
  };
  records('mon-a', HOURS, true);
  records('mon-b', 2, false);
  // Bands past 20 kHz: the schema refuses them, but a store may hold one; its hour's band block is UNPACKABLE.
  db.prepare<[number]>("UPDATE level_bands SET f0 = '100' WHERE device = 'mon-a' AND t = ?").run(T0 + 2 * HOUR + 1_800_250);
  return { db, clipsDir: join(dir, 'clips') };
}

const LEVEL_BLOCKS = 'SELECT device, hour_ms, rows, first_ms, end_ms, full_scale_db, sealed_at, data FROM level_blocks ORDER BY device, hour_ms';
const BAND_BLOCKS = 'SELECT device, hour_ms, rows, sealed_at, data FROM band_blocks ORDER BY device, hour_ms';

async function pgRows(pool: pg.Pool, sql: string): Promise<unknown[]> {
  return (await pool.query(sql)).rows;
}

/** Both stores holding the same records, no block sealed on either. */
async function bothStores(): Promise<{ db: Db; pool: pg.Pool }> {
  const e = embedded();
  const pool = await fx.pool();
  const report = await copyStore(e, pool);
  expect(report.ok, report.checks.map((c) => c.line).join('\n')).toBe(true);
  expect(await pgRows(pool, LEVEL_BLOCKS)).toEqual([]);
  return { db: e.db, pool };
}

const until = async (what: string, f: () => Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('sealing blocks on PostgreSQL', () => {
  it('seals the hours SQLite seals, into the same bytes, and each only once', async () => {
    const { db, pool } = await bothStores();
    const lite = await sealPass(createBlockSealer(db), { nowMs: NOW });
    const sealer = postgresBlockSealer(pool);
    expect(await sealer.devices()).toEqual(['mon-a', 'mon-b']);
    const post = await sealPass(sealer, { nowMs: NOW, sliceMs: 20 });
    expect(post).toEqual(lite);
    expect(post.hours).toBe(HOURS + 2);
    expect(await pgRows(pool, LEVEL_BLOCKS)).toEqual(db.prepare(LEVEL_BLOCKS).all());
    expect(await pgRows(pool, BAND_BLOCKS)).toEqual(db.prepare(BAND_BLOCKS).all());
    expect((await pgRows(pool, BAND_BLOCKS)).map((r) => (r as { rows: number }).rows)).toEqual([expect.any(Number), expect.any(Number), UNPACKABLE]);
    expect(await sealPass(sealer, { nowMs: NOW })).toEqual({ hours: 0, records: 0, full: true });
  }, 120_000);

  it('seals a stale block again, and leaves an hour whose block another transaction holds for the next pass, without waiting', async () => {
    const { pool } = await bothStores();
    const sealer = postgresBlockSealer(pool);
    await sealPass(sealer, { nowMs: NOW });
    const rows = (await pool.query<{ rows: number }>('SELECT rows FROM level_blocks WHERE device = $1 AND hour_ms = $2', ['mon-b', T0])).rows[0]!.rows;
    // A block counting fewer records than the rollups (a record committed after its rows were read): sealed again.
    await pool.query('UPDATE level_blocks SET rows = rows - 1 WHERE device = $1 AND hour_ms = $2', ['mon-b', T0]);
    expect(await sealer.pending('mon-b', 0, NOW, 10)).toEqual([{ device: 'mon-b', hourMs: T0 }]);

    // The levels writer dropping that block just now: the seal gives way at once.
    const writer = await pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query('DELETE FROM level_blocks WHERE device = $1 AND hour_ms = $2', ['mon-b', T0]);
      const started = performance.now();
      expect(await sealer.seal({ device: 'mon-b', hourMs: T0 }, NOW)).toBe(0);
      expect(performance.now() - started).toBeLessThan(1_000);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    expect(await sealer.pending('mon-b', 0, NOW, 10)).toEqual([{ device: 'mon-b', hourMs: T0 }]);
    expect(await sealPass(sealer, { nowMs: NOW })).toEqual({ hours: 1, records: rows, full: true });
    expect(await sealer.pending('mon-b', 0, NOW, 10)).toEqual([]);
  }, 120_000);

  it('never seals while the retention purge deletes, nor purges while a block is made', async () => {
    const { pool } = await bothStores();
    const sealer = postgresBlockSealer(pool);
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [EARSHOT_LOCK_CLASS, LOCK.blockSeal]);
      let sealed = false;
      const seal = sealer.seal({ device: 'mon-b', hourMs: T0 }, NOW).then((n) => ((sealed = true), n));
      let purged = false;
      const purge = runPurge(postgresPurgeStore(pool), retentionSteps(purgeExportJobs), { nowMs: NOW }).then(() => (purged = true));
      await new Promise((r) => setTimeout(r, 500));
      expect({ sealed, purged }).toEqual({ sealed: false, purged: false });
      await holder.query('COMMIT');
      expect(await seal).toBeGreaterThan(0);
      await purge;
    } finally {
      holder.release();
    }
  }, 120_000);

  it('seals in the background only in the process holding the lease, going back to the first hour when it takes it', async () => {
    const { pool } = await bothStores();
    let held = false;
    const job = startLevelBlockSealer(postgresBlockSealer(pool), { everyMs: 10, firstAfterMs: 0, now: () => NOW, held: () => held, onError: (e) => { throw e; } });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await pgRows(pool, LEVEL_BLOCKS)).toEqual([]);
      // NOW is two days on: only a full pass reaches these hours.
      held = true;
      await until('every hour sealed', async () => (await pgRows(pool, LEVEL_BLOCKS)).length === HOURS + 2);
    } finally {
      await job.stop();
    }
  }, 120_000);
});
