/**
 * The 1/3-octave bands in the SQLite store (issue 16): stored with the level
 * records that carry them, in the levels writer's transaction; the exact 0.1 dB
 * integers and nulls come back; a record kept as it was brings no second set of
 * bands; the ten-minute sums equal the sums worked out here from the records
 * sent, through out-of-order batches; the retention purge takes the bands with
 * the levels and remakes the sums of the blocks it cut.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LevelRecord, LevelsBody } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { endDeployment, startDeployment } from '../../src/cases/deployments.ts';
import { openCase } from '../../src/cases/cases.ts';
import { migrate } from '../../src/db/migrate.ts';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { runPurge } from '../../src/retention/purge.ts';
import { sqlitePurgeStore } from '../../src/retention/purge-store.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { decodeBands } from '../../src/store/band-codec.ts';
import { levelBandsMigrations } from '../../src/store/level-bands-migrations.ts';
import { purgeLevelBands } from '../../src/store/level-bands-retention.ts';
import { createLevelBandsWriter } from '../../src/store/level-bands.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { storeMigrations } from '../../src/store/migrations.ts';
import { timelineMigrations } from '../../src/timeline/migrations.ts';
import { purgeOldTimeSeries } from '../../src/retention/steps.ts';
import { type Fixture, openFixture } from '../cases/fixture.ts';

const T0 = Date.parse('2026-03-01T22:00:00.000Z');
const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bands-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
  dbs.push(db);
  return db;
}

/** A record's bands: a spread of levels, a silent band now and then, from 10 Hz or 20 Hz, 31 or 30 bands. */
function bandsAt(i: number): NonNullable<LevelRecord['Z3']> {
  const n = i % 7 === 0 ? 30 : 31;
  const f0 = i % 7 === 0 ? '20' : '10';
  return { f0, dB10: Array.from({ length: n }, (_, k) => ((i * 31 + k) % 13 === 0 ? null : 200 + ((i * 37 + k * 11) % 500) - (k === 3 ? 400 : 0))) };
}

function record(t: number, i: number, withBands = true, d = 1): LevelRecord {
  const l = 30 + (i % 20);
  return { t: new Date(t).toISOString(), d, LAeq: l, LCeq: l + 5, LZeq: l + 8, LAFmax: l + 4, LAFmin: l - 3, LASmax: l + 2, LCpeak: l + 25, ...(withBands ? { Z3: bandsAt(i) } : {}) };
}

const NOMINAL = ['10', '12.5', '16', '20', '25', '31.5', '40', '50', '63', '80', '100', '125', '160', '200', '250', '315', '400', '500', '630', '800', '1000', '1250', '1600', '2000', '2500', '3150', '4000', '5000', '6300', '8000', '10000', '12500', '16000', '20000'];

/** Σ d·10^(L/10) and Σ d per (device, block, band) from the records sent, here, independently of the store. */
function expectedSums(sent: readonly { device: string; r: LevelRecord }[]): Map<string, { records: number; energy: number[]; seconds: number[] }> {
  const out = new Map<string, { records: number; energy: number[]; seconds: number[] }>();
  for (const { device, r } of sent) {
    if (r.Z3 === undefined) continue;
    const t = Date.parse(r.t);
    const key = `${device}|${t - (t % 600_000)}`;
    let s = out.get(key);
    if (s === undefined) out.set(key, (s = { records: 0, energy: new Array<number>(34).fill(0), seconds: new Array<number>(34).fill(0) }));
    s.records += 1;
    const i0 = NOMINAL.indexOf(r.Z3.f0);
    r.Z3.dB10.forEach((v, k) => {
      if (v === null) return;
      s!.energy[i0 + k]! += r.d * 10 ** (v / 100);
      s!.seconds[i0 + k]! += r.d;
    });
  }
  return out;
}

function storedSums(db: Db): Map<string, { records: number; energy: number[]; seconds: number[] }> {
  const rows = db.prepare<[], { device: string; start: number; records: number; energy: Buffer; seconds: Buffer }>('SELECT * FROM level_bands_10m').all();
  const doubles = (b: Buffer): number[] => Array.from({ length: 34 }, (_, k) => b.readDoubleLE(k * 8));
  return new Map(rows.map((r) => [`${r.device}|${r.start}`, { records: r.records, energy: doubles(r.energy), seconds: doubles(r.seconds) }]));
}

function expectSumsEqual(db: Db, sent: readonly { device: string; r: LevelRecord }[]): void {
  const want = expectedSums(sent);
  const got = storedSums(db);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, w] of want) {
    const g = got.get(k)!;
    expect(g.records, k).toBe(w.records);
    // The same terms added in another order: equal to the last bits of a double.
    w.energy.forEach((e, i) => expect(Math.abs(g.energy[i]! - e), `${k} energy ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(1, e)));
    expect(g.seconds, k).toEqual(w.seconds);
  }
}

describe('level bands in SQLite', () => {
  it('stores each record\'s bands with it, byte-exact, and keeps no bands for records without them', () => {
    const db = open();
    const w = createLevelsWriter(db);
    const records = Array.from({ length: 40 }, (_, i) => record(T0 + i * 1000, i, i % 10 !== 9));
    expect(w.write('mon-1', 1, { fullScaleDb: 120, records })).toBe(40);
    const rows = db.prepare<[], { t: number; device: string; d: number; f0: string; data: Buffer }>('SELECT * FROM level_bands ORDER BY t').all();
    expect(rows).toHaveLength(36);
    for (const row of rows) {
      const i = (row.t - T0) / 1000;
      const want = bandsAt(i);
      expect({ f0: row.f0, dB10: decodeBands(row.data), d: row.d, device: row.device }).toEqual({ f0: want.f0, dB10: want.dB10, d: 1, device: 'mon-1' });
      expect(row.data.length).toBe(want.dB10.length * 2);
    }
    // A null band is kept as null, distinct from a very low level.
    expect(decodeBands(rows[0]!.data)[0]).toBeNull();
    expect(db.prepare('SELECT count(*) AS n FROM level_bands WHERE t = ?').get(T0 + 9000)).toEqual({ n: 0 });
  });

  it('brings no second set of bands with a record already stored, and rolls back bands with their levels', () => {
    const db = open();
    const w = createLevelsWriter(db);
    const sent: { device: string; r: LevelRecord }[] = [];
    const first = Array.from({ length: 20 }, (_, i) => record(T0 + i * 1000, i));
    w.write('mon-1', 1, { fullScaleDb: 120, records: first });
    sent.push(...first.map((r) => ({ device: 'mon-1', r })));
    // The same seconds again with other bands (a duplicate): the levels are kept as they were, and so are the bands.
    const again = Array.from({ length: 20 }, (_, i) => ({ ...record(T0 + i * 1000, i), Z3: { f0: '10' as const, dB10: [999] } }));
    expect(w.write('mon-1', 2, { fullScaleDb: 120, records: again })).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM level_bands').get()).toEqual({ n: 20 });
    expectSumsEqual(db, sent);
    // A failing transaction keeps neither the levels nor their bands nor their sums.
    const batch: LevelsBody = { fullScaleDb: 120, records: [record(T0 + 30_000, 30)] };
    expect(() => db.transaction(() => {
      w.write('mon-1', 3, batch);
      throw new Error('storage failed');
    })()).toThrow('storage failed');
    expect(db.prepare('SELECT count(*) AS n FROM level_bands').get()).toEqual({ n: 20 });
    expect(db.prepare('SELECT count(*) AS n FROM levels').get()).toEqual({ n: 20 });
    expectSumsEqual(db, sent);
  });

  it('keeps the ten-minute sums exact over blocks, devices, compacted records and batches out of time order', () => {
    const db = open();
    const w = createLevelsWriter(db);
    const sent: { device: string; r: LevelRecord }[] = [];
    let seq = 0;
    // 50 minutes of two devices in batches of 10, then a late batch of earlier seconds, then compacted 10 s records.
    for (let b = 0; b < 300; b++) {
      for (const device of ['mon-1', 'mon-2']) {
        const records = Array.from({ length: 10 }, (_, k) => record(T0 + (b * 10 + k) * 1000 + (device === 'mon-2' ? 1 : 0), b * 10 + k));
        const body = { fullScaleDb: 120, records: b % 37 === 5 ? [...records].reverse() : records };
        if (b % 50 === 7) continue; // held back: arrives later
        w.write(device, seq++, body);
        sent.push(...records.map((r) => ({ device, r })));
      }
    }
    for (let b = 7; b < 300; b += 50) {
      const records = Array.from({ length: 10 }, (_, k) => record(T0 + (b * 10 + k) * 1000, b * 10 + k));
      w.write('mon-1', seq++, { fullScaleDb: 120, records });
      sent.push(...records.map((r) => ({ device: 'mon-1', r })));
    }
    const compacted = Array.from({ length: 12 }, (_, k) => record(T0 + 3_600_000 + k * 10_000, k, true, 10));
    w.write('mon-1', seq++, { fullScaleDb: 120, records: compacted });
    sent.push(...compacted.map((r) => ({ device: 'mon-1', r })));
    expectSumsEqual(db, sent);
    // Two devices × five blocks of the 50 minutes, and the block of the compacted records.
    expect(storedSums(db).size).toBe(2 * 5 + 1);
  });

  it('is absent, and the levels writer works as before, on a store without the band tables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-bands-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'x.db'), [...storeMigrations, ...timelineMigrations]);
    dbs.push(db);
    expect(createLevelBandsWriter(db)).toBeNull();
    expect(createLevelsWriter(db).write('mon-1', 1, { fullScaleDb: 120, records: [record(T0, 1)] })).toBe(1);
    migrate(db, levelBandsMigrations);
    expect(createLevelBandsWriter(db)).not.toBeNull();
    expect(ALL_MIGRATIONS.map((m) => m.name)).toContain('level-bands-001-tables');
  });
});

describe('retention of level bands', () => {
  let f: Fixture | undefined;
  afterEach(() => f?.close());

  it('purges the bands of exactly the levels purged, keeps a live case\'s, and remakes the sums of the blocks it cut', async () => {
    f = openFixture('2026-01-01T09:00:00.000Z');
    migrate(f.db, [...storeMigrations, ...timelineMigrations, ...levelBandsMigrations]);
    const cal = { readingDb: 94, fullScaleDb: 120 };
    openCase(f, { ref: 'ASB-2026-0001', category: 'general', officer: 'P. Officer', address: '1 Street' });
    // mon-keep is deployed (open case) from 10:05; mon-gone was deployed on a case long closed... and never: its levels go.
    startDeployment(f, { caseRef: 'ASB-2026-0001', deviceId: 'mon-keep', installedAt: '2026-01-02T10:05:00Z', installedBy: 'T', calibration: cal });
    const w = createLevelsWriter(f.db);
    const start = Date.parse('2026-01-02T10:00:00.000Z');
    const sent: { device: string; r: LevelRecord }[] = [];
    for (const device of ['mon-keep', 'mon-gone']) {
      for (let m = 0; m < 20; m++) {
        const records = Array.from({ length: 60 }, (_, k) => record(start + (m * 60 + k) * 1000, m * 60 + k));
        w.write(device, m, { fullScaleDb: 120, records });
        sent.push(...records.map((r) => ({ device, r })));
      }
    }
    expectSumsEqual(f.db, sent);
    const now = start + 400 * 86_400_000 + 30 * 60_000;
    const report = await runPurge(sqlitePurgeStore(f.db, '/nonexistent'), [
      purgeOldTimeSeries({ name: 'levels', table: 'levels', timeColumn: 't', deviceColumn: 'device', sliceMs: 86_400_000 }),
      purgeLevelBands,
    ], { nowMs: now });
    // Levels and bands go together: everything of mon-gone, and mon-keep's 5 minutes before its deployment.
    const left = (table: string, device: string): number => f!.db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE device = ?`).get(device)!.n;
    expect(left('levels', 'mon-gone')).toBe(0);
    expect(left('level_bands', 'mon-gone')).toBe(0);
    expect(left('levels', 'mon-keep')).toBe(15 * 60);
    expect(left('level_bands', 'mon-keep')).toBe(15 * 60);
    expect(report.steps.find((s) => s.name === 'level-bands')!.rows).toBe(20 * 60 + 5 * 60);
    const kept = sent.filter((s) => s.device === 'mon-keep' && Date.parse(s.r.t) >= Date.parse('2026-01-02T10:05:00Z'));
    // The 10:00 block lost its first 5 minutes: its sums are those of 10:05–10:10 alone.
    expectSumsEqual(f.db, kept);
  });
});
