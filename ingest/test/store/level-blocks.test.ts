/**
 * Level blocks (store/level-blocks/, docs/storage.md "Level blocks"): the
 * codec gives back every stored double exactly; an hour is sealed only once it
 * has been over for SEAL_AFTER_MS, and only when it holds records; a pass
 * reseals only what wants it; the retention purge deletes a block with the
 * records it derives from (the delete trigger, in the purge's transaction); the
 * service's job seals in the background and stops cleanly. On real SQLite
 * files with every migration the service applies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LevelRecord } from '@earshot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { runPurge, sqlitePurgeStore } from '../../src/retention/index.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { retentionSteps } from '../../src/service/retention-steps.ts';
import {
  COLUMNS, HOUR_MS, LAEQ, PATCH_CODE, SEAL_AFTER_MS, createBlockReader, createBlockSealer, decodeBlock, encodeBlock, sealPass, sealable, startLevelBlockSealer,
} from '../../src/store/level-blocks/index.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';

const H0 = Date.parse('2026-11-02T22:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-blocks-'));
  db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function records(from: number, n: number, laeq: (i: number) => number | null = (i) => 40 + (i % 50) / 10): LevelRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const l = laeq(i);
    return { t: iso(from + i * 1000), d: 1, LAeq: l, LCeq: l === null ? null : l + 8, LZeq: null, LAFmax: l, LAFmin: l, LASmax: l, LCpeak: l };
  });
}

const blockCount = (): number => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM level_blocks').get()!.n;

describe('the level block codec', () => {
  it('gives back every value exactly: 0.01 dB codes, nulls, and whole doubles where a code would not be exact', () => {
    const awkward = [45.12, -0, 0, 1e-7, 33.3333333, 48.120000000000005, 0.1 + 0.2, 327.67, -327.66, 327.68, -327.67, -327.68, 1e300, -200, 250, 5e-324];
    const rows = 3600;
    const offsetMs = Int32Array.from({ length: rows }, (_, i) => i * 1000 + (i % 7));
    const columns = Array.from({ length: COLUMNS }, (_, c) => Float64Array.from({ length: rows }, (_, i) => (c === 2 && i % 5 === 0 ? Number.NaN : c === 3 ? awkward[i % awkward.length]! : Math.round(3000 + i + c) / 100)));
    const bytes = encodeBlock({ rows, offsetMs, columns });
    const b = decodeBlock(H0, bytes);
    expect(b.rows).toBe(rows);
    expect([...b.offsetMs]).toEqual([...offsetMs]);
    for (let c = 0; c < COLUMNS; c++) {
      const got = b.values(c);
      for (let i = 0; i < rows; i++) expect(Object.is(got[i], columns[c]![i]), `column ${c} row ${i}: ${got[i]} for ${columns[c]![i]}`).toBe(true);
    }
    // Exact values take 2 bytes; only column 3's inexact ones are kept whole.
    expect(b.patched).toEqual([false, false, false, true, false, false, false, false, false]);
    expect(b.codes[3]![0]).toBe(4512);
    expect(b.codes[3]![1]).toBe(PATCH_CODE);
    expect(bytes.length).toBeLessThan(rows * (4 + 2 * COLUMNS) + 4096 * 12);
    // A block read at any byte offset (as a Buffer may sit in a larger one) decodes the same.
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(decodeBlock(H0, shifted.subarray(3)).values(3)[4]).toBe(33.3333333);
    expect(() => decodeBlock(H0, bytes.subarray(0, bytes.length - 4))).toThrow(/cannot be/);
    expect(() => decodeBlock(H0, Buffer.from('not a block at all'))).toThrow(/not a level block/);
  });
});

describe('sealing level blocks', () => {
  it('seals an hour only once it has been over for SEAL_AFTER_MS, only hours with records, and each only once', async () => {
    const w = createLevelsWriter(db);
    w.write('mon-a', 1, { fullScaleDb: 120, records: records(H0, 2 * 3600) });
    w.write('mon-b', 1, { fullScaleDb: 120, records: records(H0 + 30 * 60_000, 600) });
    const sealer = createBlockSealer(db);
    expect(await sealer.devices()).toEqual(['mon-a', 'mon-b']);
    expect(sealable(H0, H0 + HOUR_MS + SEAL_AFTER_MS - 1)).toBe(false);
    expect(sealable(H0, H0 + HOUR_MS + SEAL_AFTER_MS)).toBe(true);
    await expect(sealer.seal({ device: 'mon-a', hourMs: H0 }, H0 + HOUR_MS)).rejects.toThrow(/not over/);

    // Until 23:05 nothing is sealable; then the 22:00 hours of both; the 23:00 hour of mon-a from 00:05.
    expect(await sealPass(sealer, { nowMs: H0 + HOUR_MS + SEAL_AFTER_MS - 1 })).toEqual({ hours: 0, records: 0, full: true });
    expect(await sealPass(sealer, { nowMs: H0 + HOUR_MS + SEAL_AFTER_MS })).toEqual({ hours: 2, records: 3600 + 600, full: true });
    expect(await sealPass(sealer, { nowMs: H0 + 5 * HOUR_MS })).toEqual({ hours: 1, records: 3600, full: true });
    expect(await sealPass(sealer, { nowMs: H0 + 5 * HOUR_MS })).toEqual({ hours: 0, records: 0, full: true });
    expect(blockCount()).toBe(3);
    const stored = db.prepare<[], { device: string; hour_ms: number; rows: number; sealed_at: number }>('SELECT device, hour_ms, rows, sealed_at FROM level_blocks ORDER BY device, hour_ms').all();
    expect(stored).toEqual([
      { device: 'mon-a', hour_ms: H0, rows: 3600, sealed_at: H0 + HOUR_MS + SEAL_AFTER_MS },
      { device: 'mon-a', hour_ms: H0 + HOUR_MS, rows: 3600, sealed_at: H0 + 5 * HOUR_MS },
      { device: 'mon-b', hour_ms: H0, rows: 600, sealed_at: H0 + HOUR_MS + SEAL_AFTER_MS },
    ]);
    // The stored block is the hour's records.
    const r = createBlockReader(db);
    const [s] = [...r.slices('mon-b', H0, H0 + HOUR_MS)];
    expect(r.stats).toEqual({ stored: 1, built: 0 });
    expect(s!.end - s!.first).toBe(600);
    expect(s!.block.values(LAEQ)[0]).toBe(40);
    expect(s!.block.offsetMs[0]).toBe(30 * 60_000);
  });

  it("keeps each block's summary: its first record, the end of its last, and the one fullScaleDb its records state", async () => {
    const w = createLevelsWriter(db);
    const hour = records(H0, 3600);
    hour[3599] = { ...hour[3599]!, d: 1 / 3 };
    w.write('mon-a', 1, { fullScaleDb: 120, records: hour.slice(5) });
    w.write('mon-a', 2, { fullScaleDb: 120, records: records(H0 + HOUR_MS, 1800) });
    w.write('mon-a', 3, { fullScaleDb: 119.95, records: records(H0 + HOUR_MS + 1800_000, 1800) });
    await sealPass(createBlockSealer(db), { nowMs: H0 + DAY });
    expect(db.prepare('SELECT hour_ms, rows, first_ms, end_ms, full_scale_db FROM level_blocks ORDER BY hour_ms').all()).toEqual([
      // SQLite's CAST(d * 1000 AS INTEGER): a third of a second ends 333 ms on.
      { hour_ms: H0, rows: 3595, first_ms: H0 + 5000, end_ms: H0 + 3599_000 + 333, full_scale_db: 120 },
      { hour_ms: H0 + HOUR_MS, rows: 3600, first_ms: H0 + HOUR_MS, end_ms: H0 + 2 * HOUR_MS, full_scale_db: null },
    ]);
    const [h] = createBlockReader(db).hours('mon-a', H0, H0 + HOUR_MS);
    expect(h).toEqual({ device: 'mon-a', hourMs: H0, records: 3595, sealed: { firstMs: H0 + 5000, endMs: H0 + 3599_333, fullScaleDb: 120 } });
  });

  it('only passes over hours from fromMs on, and stops when asked', async () => {
    const w = createLevelsWriter(db);
    w.write('mon-a', 1, { fullScaleDb: 120, records: records(H0, 6 * 3600) });
    const sealer = createBlockSealer(db);
    expect(await sealPass(sealer, { nowMs: H0 + DAY, fromMs: H0 + 4 * HOUR_MS + 1 })).toMatchObject({ hours: 2, full: false });
    expect(await sealPass(sealer, { nowMs: H0 + DAY, stopped: () => blockCount() >= 4 })).toMatchObject({ hours: 2 });
    expect(blockCount()).toBe(4);
    expect(await sealPass(sealer, { nowMs: H0 + DAY })).toMatchObject({ hours: 2 });
  });
});

describe('level blocks and the retention purge', () => {
  it('deletes the block of every hour whose records it deletes, and keeps the rest', async () => {
    const w = createLevelsWriter(db);
    const old = H0 - 500 * DAY;
    w.write('mon-a', 1, { fullScaleDb: 120, records: records(old, 3 * 3600) });
    w.write('mon-a', 2, { fullScaleDb: 120, records: records(H0, 3600) });
    await sealPass(createBlockSealer(db), { nowMs: H0 + DAY });
    expect(blockCount()).toBe(4);
    const report = await runPurge(sqlitePurgeStore(db, join(dir, 'clips')), retentionSteps(null), { nowMs: H0 + DAY });
    expect(report.steps.find((s) => s.name === 'levels')?.rows).toBe(3 * 3600);
    expect(db.prepare<[], { hour_ms: number }>('SELECT hour_ms FROM level_blocks').all()).toEqual([{ hour_ms: H0 }]);
  });

  it('deletes a block when one of its records goes (the trigger), so a partly purged hour is never read from its block', async () => {
    const w = createLevelsWriter(db);
    w.write('mon-a', 1, { fullScaleDb: 120, records: records(H0, 3600) });
    await createBlockSealer(db).seal({ device: 'mon-a', hourMs: H0 }, H0 + DAY);
    expect(blockCount()).toBe(1);
    db.prepare("DELETE FROM levels WHERE device = 'mon-a' AND t = ?").run(H0 + 1800_000);
    expect(blockCount()).toBe(0);
  });
});

describe("the service's sealing job", () => {
  it('seals in the background, passes again, and stops', async () => {
    const w = createLevelsWriter(db);
    w.write('mon-a', 1, { fullScaleDb: 120, records: records(H0, 3600) });
    let now = H0 + DAY;
    const reports: number[] = [];
    const job = startLevelBlockSealer(createBlockSealer(db), { everyMs: 5, firstAfterMs: 0, now: () => now, onReport: (r) => reports.push(r.hours), onError: (e) => { throw e; } });
    await until(() => blockCount() === 1);
    // A late record drops the block. The minutely passes look back 3 hours only, so a day-old
    // hour waits for the hourly pass over the last week, which reseals it.
    w.write('mon-a', 2, { fullScaleDb: 120, records: [{ ...records(H0 + 3600_000 - 1000, 1)[0]!, t: iso(H0 + 1500) }] });
    expect(blockCount()).toBe(0);
    now += 1000;
    await new Promise((r) => setTimeout(r, 60));
    expect(blockCount()).toBe(0);
    now += HOUR_MS;
    await until(() => blockCount() === 1);
    await job.stop();
    expect(reports).toEqual([1, 1]);
    expect(db.prepare<[], { rows: number }>('SELECT rows FROM level_blocks').get()!.rows).toBe(3601);
  });
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
}
