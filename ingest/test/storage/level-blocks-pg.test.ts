/**
 * The level blocks on PostgreSQL (docs/storage.md "Level blocks"): `earshot
 * store copy` copies the sealed blocks byte for byte with the levels they
 * derive from (its row counts include them), they decode to the same records,
 * and deleting a level record there drops its hour's block as in SQLite.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { LAEQ, createBlockSealer, decodeBlock, sealPass } from '../../src/store/level-blocks/index.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const T0 = Date.parse('2026-03-01T22:00:00.000Z');
const HOUR = 3_600_000;

describe('level blocks on PostgreSQL', () => {
  it('copies the sealed blocks exactly, and drops a block there when one of its records is deleted', async () => {
    const dir = fx.tempDir();
    const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
    const w = createLevelsWriter(db);
    const records = Array.from({ length: 2 * 3600 }, (_, i) => ({ t: new Date(T0 + i * 1000).toISOString(), d: 1, LAeq: 40 + (i % 9) / 10, LCeq: 45.123, LZeq: null, LAFmax: 44, LAFmin: 37, LASmax: 42, LCpeak: 65 }));
    w.write('mon-1', 1, { fullScaleDb: 120, records });
    expect((await sealPass(createBlockSealer(db), { nowMs: T0 + 3 * HOUR })).hours).toBe(2);
    const pool = await fx.pool();
    const report = await copyStore({ db, clipsDir: join(dir, 'clips') }, pool);
    expect(report.ok, report.checks.map((c) => c.line).join('\n')).toBe(true);
    expect(report.checks.map((c) => c.line)).toContain('table level_blocks: 2 rows in SQLite, 2 in PostgreSQL');

    const q = 'SELECT device, hour_ms, rows, sealed_at, data FROM level_blocks ORDER BY device, hour_ms';
    const lite = db.prepare<[], { device: string; hour_ms: number; rows: number; sealed_at: number; data: Buffer }>(q).all();
    const post = (await pool.query<{ device: string; hour_ms: string; rows: string; sealed_at: string; data: Buffer }>(q)).rows;
    expect(post.map((r) => ({ device: r.device, hour_ms: Number(r.hour_ms), rows: Number(r.rows), sealed_at: Number(r.sealed_at), data: r.data }))).toEqual(lite);
    expect(decodeBlock(T0, post[0]!.data).values(LAEQ)[8]).toBe(40.8);

    await pool.query('DELETE FROM levels WHERE device = $1 AND t = $2', ['mon-1', T0 + HOUR + 5000]);
    expect((await pool.query<{ hour_ms: string }>('SELECT hour_ms FROM level_blocks')).rows.map((r) => Number(r.hour_ms))).toEqual([T0]);
    db.close();
  }, 120_000);
});
