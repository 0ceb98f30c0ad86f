/**
 * data/bands.csv read through the band blocks (store/band-blocks/) holds the
 * very bytes it has when read from the rows of `level_bands` hour by hour
 * (bandsCsvFromRows, the path before blocks): over hours sealed, hours never
 * sealed, an hour a late record or a resend lands in after sealing, records
 * deleted by the retention purge, silent records, records compacted to more
 * than 1 s, times off the whole second, the end of British Summer Time, spans
 * cut mid-hour, bands from 20 Hz and up to 20 kHz, a record the codec cannot
 * pack, and a store without the blocks' table. Blocks are sealed by the level
 * blocks' sealer, in the transaction that seals the hour's level block, and
 * dropped by the writes and deletes that drop it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LevelRecord } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openCase } from '../../src/cases/cases.ts';
import { startDeployment } from '../../src/cases/deployments.ts';
import { migrate } from '../../src/db/migrate.ts';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { bandsCsvFromDb, bandsCsvFromRows, bandsCsvSource } from '../../src/export/bands-csv.ts';
import type { DeploymentSpan } from '../../src/export/spans.ts';
import { runPurge } from '../../src/retention/purge.ts';
import { sqlitePurgeStore } from '../../src/retention/purge-store.ts';
import { purgeOldTimeSeries } from '../../src/retention/steps.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { bandBlocksMigrations, createBandBlockReader } from '../../src/store/band-blocks/index.ts';
import { UNPACKABLE } from '../../src/store/band-blocks/seal.ts';
import { purgeLevelBands } from '../../src/store/level-bands-retention.ts';
import { createBlockSealer, sealPass } from '../../src/store/level-blocks/index.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { type Fixture, openFixture } from '../cases/fixture.ts';

const HOUR = 3_600_000;
/** 23:00 UTC on Saturday 24 October 2026: British Summer Time ends at 01:00 UTC on the 25th, inside the data. */
const T0 = Date.parse('2026-10-24T23:00:00.000Z');
const HOURS = 4;
const NOW = T0 + 30 * 24 * HOUR;

const dirs: string[] = [];
const dbs: Db[] = [];
const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.close();
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data folder's database with every migration and the band blocks' (or without them). */
function open(withBlocks = true): Db {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-band-blocks-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS.filter((m) => withBlocks || !bandBlocksMigrations.some((b) => b.name === m.name)));
  if (withBlocks) migrate(db, bandBlocksMigrations);
  dbs.push(db);
  return db;
}

/** The schema's extremes and the texts of every length (",-200.0" … ",0.0"), now and then. */
const EDGES = [-2_000, 2_500, -1, 0, 1, -999, 999, 1_000, -1_000];

/** Bands from 10 Hz (31) or 20 Hz to 20 kHz (31), a silent band now and then, levels from −5.0 to 95.0 dB and the edges. */
function bandsAt(i: number): NonNullable<LevelRecord['Z3']> {
  const top = i % 5 === 0;
  return {
    f0: top ? '20' : '10',
    dB10: Array.from({ length: 31 }, (_, k) => ((i * 31 + k) % 13 === 0 ? null : (i + k) % 17 === 0 ? EDGES[(i + k) % EDGES.length]! : -50 + ((i * 37 + k * 11) % 1001))),
  };
}

/**
 * `HOURS` hours of one monitor: 1 s records with bands, every 97th a silent record (every band null,
 * `silent`), every 50th without bands, and a few compacted ones (d = 10 s and 2.5 s); times a quarter of a second
 * off the whole second from the second hour on.
 */
function fill(db: Db, device: string): LevelRecord[] {
  const w = createLevelsWriter(db);
  const sent: LevelRecord[] = [];
  let i = 0;
  for (let t = T0; t < T0 + HOURS * HOUR; i++) {
    const d = i % 211 === 7 ? 10 : i % 307 === 11 ? 2.5 : 1;
    const at = t >= T0 + HOUR ? t + 250 : t;
    const l = 30 + (i % 20);
    const r: LevelRecord = { t: new Date(at).toISOString(), d, LAeq: l, LCeq: l + 5, LZeq: l + 8, LAFmax: l + 4, LAFmin: l - 3, LASmax: l + 2, LCpeak: l + 25 };
    if (d > 1) r.n = Math.ceil(d);
    if (i % 97 === 3) {
      r.silent = true;
      r.Z3 = { f0: '10', dB10: new Array<null>(31).fill(null) };
    } else if (i % 50 !== 9) r.Z3 = bandsAt(i);
    sent.push(r);
    t += d * 1000;
  }
  for (let k = 0; k < sent.length; k += 600) w.write(device, k, { fullScaleDb: 120, records: sent.slice(k, k + 600) });
  return sent;
}

const span = (deviceId: string, from: number, to: number): DeploymentSpan => ({ deviceId, from, to, deployment: undefined as never });
const text = (chunks: Iterable<Buffer>): string => Buffer.concat([...chunks]).toString('latin1');

/** Both paths over the same spans: the bytes through the blocks and the bytes from the rows. */
function bothPaths(db: Db, spans: DeploymentSpan[]): { blocks: string; rows: string; stats: { stored: number; built: number; rows: number } } {
  const reader = createBandBlockReader(db);
  return { blocks: text(bandsCsvFromDb(db, spans, reader)), rows: text(bandsCsvFromRows(db, spans)), stats: reader.stats };
}

/** The same bytes; on a difference, the first line that differs (a diff of two whole files is slow and unreadable). */
function expectSame(got: { blocks: string; rows: string }): void {
  if (got.blocks === got.rows) return;
  const a = got.blocks.split('\r\n');
  const b = got.rows.split('\r\n');
  const i = a.findIndex((l, k) => l !== b[k]);
  expect({ line: i, blocks: a[i] ?? null, lines: a.length }).toEqual({ line: i, blocks: b[i] ?? null, lines: b.length });
}

const SPANS = [
  [span('mon-a', T0, T0 + HOURS * HOUR)],
  // Cut mid-hour at both ends, two monitors one after the other as measuredSpans lists them.
  [span('mon-a', T0 + 17 * 60_000 + 500, T0 + 2 * HOUR + 59 * 60_000), span('mon-b', T0 + HOUR + 1, T0 + 3 * HOUR + 250)],
  // Inside one hour; and empty.
  [span('mon-b', T0 + 2 * HOUR + 600_250, T0 + 2 * HOUR + 600_251), span('mon-a', T0 + HOUR, T0 + HOUR)],
];

async function seal(db: Db): Promise<number> {
  return (await sealPass(createBlockSealer(db), { nowMs: NOW })).hours;
}

const blockRows = (db: Db, device: string, hourMs: number): number | undefined =>
  db.prepare<[string, number], { rows: number }>('SELECT rows FROM band_blocks WHERE device = ? AND hour_ms = ?').get(device, hourMs)?.rows;

describe('data/bands.csv from band blocks', () => {
  it('gives the rows\' bytes over sealed hours, cut spans, silent and compacted records and the end of summer time', async () => {
    const db = open();
    const sent = fill(db, 'mon-a');
    fill(db, 'mon-b');
    // Unsealed: every hour built from its rows on the way, the same bytes.
    for (const spans of SPANS) {
      const got = bothPaths(db, spans);
      expectSame(got);
      expect(got.stats.stored).toBe(0);
    }
    expect(await seal(db)).toBe(2 * HOURS);
    const banded = sent.filter((r) => r.Z3 !== undefined);
    for (let h = 0; h < HOURS; h++) {
      expect(blockRows(db, 'mon-a', T0 + h * HOUR)).toBe(banded.filter((r) => Math.floor((Date.parse(r.t) - T0) / HOUR) === h).length);
    }
    for (const spans of SPANS) {
      const got = bothPaths(db, spans);
      expectSame(got);
      expect(got.stats.built).toBe(0);
    }
    const all = bothPaths(db, SPANS[0]!);
    expect(all.stats.stored).toBe(HOURS);
    // What the rows say, held here too: one row per record with bands, the compacted and silent records as sent.
    const lines = all.blocks.split('\r\n').slice(1, -1);
    expect(lines).toHaveLength(banded.length);
    expect(bandsCsvSource(db, SPANS[0]!)!.rows).toBe(banded.length);
    const compacted = banded.findIndex((r) => r.d === 2.5);
    expect(lines[compacted]!.endsWith(',2.5')).toBe(true);
    const silent = banded.findIndex((r) => r.silent === true);
    expect(lines[silent]!.split(',').slice(3, 37)).toEqual(new Array<string>(34).fill(''));
    // 01:30 UTC on the 25th is 01:30 GMT; 00:30 UTC was 01:30 BST.
    const local = (utcMinute: string): string => lines.find((l) => l.startsWith(utcMinute))!.split(',')[1]!;
    expect(local('2026-10-25T00:30:')).toMatch(/^2026-10-25T01:30:\d\d\+01:00$/);
    expect(local('2026-10-25T01:30:')).toMatch(/^2026-10-25T01:30:\d\d\+00:00$/);
    // From 20 Hz: three empty fields first; to 20 kHz: no empty field last.
    const top = lines[banded.findIndex((r) => r.Z3!.f0 === '20' && r.Z3!.dB10[0] !== null && r.Z3!.dB10[30] !== null)]!.split(',');
    expect(top.slice(3, 6)).toEqual(['', '', '']);
    expect(top[6]).not.toBe('');
    expect(top[36]).not.toBe('');
    for (const text of ['-200.0', '250.0', '-0.1', '0.0', '0.1', '-99.9', '99.9', '100.0', '-100.0']) expect(lines.some((l) => l.split(',').slice(3, 37).includes(text)), text).toBe(true);
  });

  it('drops a sealed hour\'s block for a late record or a resend into it, keeps it for a duplicate, and reseals it', async () => {
    const db = open();
    const sent = fill(db, 'mon-a');
    await seal(db);
    const hour = T0 + 2 * HOUR;
    const w = createLevelsWriter(db);
    // A duplicate of a stored record (kept as it was): the block stays.
    w.write('mon-a', 9_000, { fullScaleDb: 120, records: [sent.find((r) => Date.parse(r.t) >= hour)!] });
    expect(blockRows(db, 'mon-a', hour)).toBeDefined();
    // A late record between two stored ones (0.5 s after one), with bands: the block goes, in the writer's transaction.
    const t = Date.parse(sent.find((r) => Date.parse(r.t) >= hour + 1_800_000 && r.d === 1)!.t) + 500;
    const before = blockRows(db, 'mon-a', hour)!;
    w.write('mon-a', 9_001, { fullScaleDb: 120, records: [{ t: new Date(t).toISOString(), d: 0.5, LAeq: 40, LCeq: 45, LZeq: 48, LAFmax: 44, LAFmin: 37, LASmax: 42, LCpeak: 65, Z3: bandsAt(5) }] });
    expect(blockRows(db, 'mon-a', hour)).toBeUndefined();
    expect(blockRows(db, 'mon-a', hour - HOUR)).toBeDefined();
    let got = bothPaths(db, SPANS[0]!);
    expectSame(got);
    expect(got.blocks).toContain(`${new Date(t).toISOString()},`);
    expect(got.stats).toEqual({ stored: HOURS - 1, built: 1, rows: 0 });
    expect(await seal(db)).toBe(1);
    expect(blockRows(db, 'mon-a', hour)).toBe(before + 1);
    got = bothPaths(db, SPANS[0]!);
    expectSame(got);
    expect(got.stats.stored).toBe(HOURS);
  });

  it('drops the blocks of the hours the retention purge cuts, and gives the rows left', async () => {
    const c = openFixture(new Date(NOW).toISOString());
    fixtures.push(c);
    const db = c.db;
    migrate(db, ALL_MIGRATIONS);
    migrate(db, bandBlocksMigrations);
    fill(db, 'mon-a');
    await seal(db);
    openCase(c, { ref: 'ASB-2026-0301', category: 'general', officer: 'P. Officer', address: '1 Street' });
    // Deployed from 00:20 UTC: what came before goes (older than the levels' 400 days, retention/policy.ts, and in no case).
    startDeployment(c, { caseRef: 'ASB-2026-0301', deviceId: 'mon-a', installedAt: new Date(T0 + HOUR + 20 * 60_000).toISOString(), installedBy: 'T', calibration: { readingDb: 94, fullScaleDb: 120 } });
    await runPurge(sqlitePurgeStore(db, '/nonexistent'), [
      purgeOldTimeSeries({ name: 'levels', table: 'levels', timeColumn: 't', deviceColumn: 'device', sliceMs: 86_400_000 }),
      purgeLevelBands,
    ], { nowMs: T0 + 401 * 24 * HOUR });
    expect(blockRows(db, 'mon-a', T0)).toBeUndefined();
    expect(blockRows(db, 'mon-a', T0 + HOUR)).toBeUndefined();
    expect(blockRows(db, 'mon-a', T0 + 2 * HOUR)).toBeDefined();
    let got = bothPaths(db, SPANS[0]!);
    expectSame(got);
    expect(got.blocks.split('\r\n')[1]!.startsWith('2026-10-25T00:20:')).toBe(true);
    // The hour wholly purged has no block to make; the hour cut is sealed again.
    expect(await seal(db)).toBe(1);
    got = bothPaths(db, SPANS[0]!);
    expectSame(got);
    expect(got.stats).toEqual({ stored: HOURS - 1, built: 0, rows: 0 });
  });

  it('reads an hour the codec cannot pack from its rows, and seals it once', async () => {
    const db = open();
    fill(db, 'mon-a');
    // A stored record whose bands run past 20 kHz (the schema refuses them; a store may still hold one).
    const t = T0 + HOUR + 1_800_500;
    createLevelsWriter(db).write('mon-a', 9_000, { fullScaleDb: 120, records: [{ t: new Date(t).toISOString(), d: 0.5, LAeq: 40, LCeq: 45, LZeq: 48, LAFmax: 44, LAFmin: 37, LASmax: 42, LCpeak: 65, Z3: bandsAt(1) }] });
    db.prepare<[number]>("UPDATE level_bands SET f0 = '100' WHERE device = 'mon-a' AND t = ?").run(t);
    await seal(db);
    expect(blockRows(db, 'mon-a', T0 + HOUR)).toBe(UNPACKABLE);
    expect(await seal(db)).toBe(0);
    const got = bothPaths(db, SPANS[0]!);
    expectSame(got);
    expect(got.stats).toEqual({ stored: HOURS - 1, built: 0, rows: 1 });
  });

  it('builds every hour from its rows on a store without the blocks\' table, and the sealer and writer work as before', async () => {
    const db = open(false);
    fill(db, 'mon-a');
    expect(await seal(db)).toBe(HOURS);
    for (const spans of SPANS) {
      const got = bothPaths(db, spans);
      expectSame(got);
    }
    expect(bothPaths(db, SPANS[0]!).stats).toEqual({ stored: 0, built: HOURS, rows: 0 });
  });
});
