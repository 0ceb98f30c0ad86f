/**
 * The 1/3-octave bands on PostgreSQL (issue 16): `earshot store copy`'s copy of
 * an embedded store holding bands reads back byte for byte — every record's
 * bands and every ten-minute sum — and the copy's checks count the band tables.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { decodeBands } from '../../src/store/band-codec.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();
const T0 = Date.parse('2026-03-01T22:00:00.000Z');

describe('level bands on PostgreSQL', () => {
  it('copies every record\'s bands and every ten-minute sum exactly', async () => {
    const dir = fx.tempDir();
    const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
    const w = createLevelsWriter(db);
    for (let b = 0; b < 150; b++) {
      const records = Array.from({ length: 10 }, (_, k) => {
        const i = b * 10 + k;
        return {
          t: new Date(T0 + i * 1000).toISOString(), d: 1, LAeq: 40, LCeq: 45, LZeq: 48, LAFmax: 44, LAFmin: 37, LASmax: 42, LCpeak: 65,
          Z3: { f0: '10' as const, dB10: Array.from({ length: 31 }, (_, j) => ((i + j) % 17 === 0 ? null : 150 + ((i * 7 + j * 13) % 600))) },
        };
      });
      w.write('mon-1', b, { fullScaleDb: 120, records });
    }
    const pool = await fx.pool();
    const report = await copyStore({ db, clipsDir: join(dir, 'clips') }, pool);
    expect(report.ok, report.checks.map((c) => c.line).join('\n')).toBe(true);
    expect(report.checks.map((c) => c.line)).toEqual(expect.arrayContaining(['table level_bands: 1500 rows in SQLite, 1500 in PostgreSQL', 'table level_bands_10m: 3 rows in SQLite, 3 in PostgreSQL']));

    const lite = db.prepare<[], { t: number; device: string; d: number; f0: string; data: Buffer }>('SELECT * FROM level_bands ORDER BY t').all();
    const post = (await pool.query<{ t: number; device: string; d: number; f0: string; data: Buffer }>('SELECT * FROM level_bands ORDER BY t')).rows;
    expect(post.map((r) => ({ ...r, data: decodeBands(r.data) }))).toEqual(lite.map((r) => ({ ...r, data: decodeBands(r.data) })));
    const sums = 'SELECT device, start, records, energy, seconds FROM level_bands_10m ORDER BY device, start';
    const liteSums = db.prepare<[], Record<string, unknown>>(sums).all();
    const postSums = (await pool.query<Record<string, unknown>>(sums)).rows;
    expect(postSums).toEqual(liteSums);
    db.close();
  }, 120_000);
});
