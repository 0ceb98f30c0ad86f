/**
 * data/levels.csv from the level blocks (export/level-csv.ts, issue 10's 10 s
 * export): the bytes are exactly the bytes the row formatter gives for the rows
 * of the levels table read as the export read them before the blocks existed
 * (an independent reference below: the table, LevelRowFormatter, the clock
 * flags) — span by span, each device's records in time order, never a
 * neighbour's — on a real data folder, with every hour built from its rows and
 * again with every hour sealed, and with the awkward records: values not held to
 * 0.01 dB, silence, negative and out-of-range levels, compacted and sub-second
 * records, a clock flag that changes mid-hour, spans that start and end
 * mid-hour, the autumn clock change, a late record into a sealed hour, a stale
 * block, and a demonstration bundle's marked rows.
 */
import type { LevelRecord } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { levelsCsv } from '../../src/bundle/csv.ts';
import { markCsvChunks } from '../../src/bundle/demonstration.ts';
import type { LevelRow } from '../../src/bundle/model.ts';
import { ClockFlagCursor, createClockFlagReader } from '../../src/export/clock-sync.ts';
import { levelsCsvFromDb } from '../../src/export/level-csv.ts';
import { levelRows } from '../../src/export/level-rows.ts';
import type { DeploymentSpan } from '../../src/export/spans.ts';
import type { Db } from '../../src/db/open.ts';
import { createBlockReader, createBlockSealer, sealPass } from '../../src/store/level-blocks/index.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

// The Summer Time Order 2002: UK clocks go back at 01:00 UTC on 25 October 2026.
const T0 = Date.parse('2026-10-24T23:30:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const HEADER = 'time_utc,time_london,duration_s,LAeq,LCeq,LZeq,LAFmax,LAFmin,LASmax,LCpeak,device,clock_flag\r\n';

let f: ExportFixture | undefined;
afterEach(() => f?.close());

type Raw = { t: number; d: number; laeq: number | null; lceq: number | null; lzeq: number | null; lafmax: number | null; lafmin: number | null; lasmax: number | null; lcpeak: number | null };

/** The rows of the levels table, span by span, with the clock flag in force: what levels.csv held before the blocks. */
function tableRows(db: Db, spans: readonly DeploymentSpan[]): LevelRow[] {
  const read = db.prepare<[string, number, number], Raw>('SELECT t, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak FROM levels WHERE device = ? AND t >= ? AND t < ? ORDER BY t');
  const flags = createClockFlagReader(db);
  const rows: LevelRow[] = [];
  for (const s of spans) {
    const clock = new ClockFlagCursor(flags(s.deviceId, s.from, s.to));
    for (const r of read.all(s.deviceId, s.from, s.to)) {
      rows.push({ t: r.t, d: r.d, deviceId: s.deviceId, LAeq: r.laeq, LCeq: r.lceq, LZeq: r.lzeq, LAFmax: r.lafmax, LAFmin: r.lafmin, LASmax: r.lasmax, LCpeak: r.lcpeak, clockFlag: clock.at(r.t) });
    }
  }
  return rows;
}

function rowsCsv(rows: Iterable<LevelRow>): string {
  return [...(levelsCsv(rows) as Iterable<string>)].join('');
}

function reference(db: Db, spans: readonly DeploymentSpan[]): string {
  return rowsCsv(tableRows(db, spans));
}

function bytesCsv(chunks: Iterable<Uint8Array>): string {
  return Buffer.concat([...chunks]).toString('utf8');
}

const span = (deviceId: string, from: number, to: number): DeploymentSpan => ({ deployment: undefined as never, deviceId, from, to });

/** Seals every hour that is over by `nowMs`, as the service does. */
async function sealAll(db: Db, nowMs: number): Promise<number> {
  return (await sealPass(createBlockSealer(db), { nowMs })).hours;
}

/** Three monitors' records interleaved in time, as the store holds them. */
function fill(fx: ExportFixture): void {
  const w = createLevelsWriter(fx.ingest.db);
  const odd = [45.123, 34.07 + 8, 1e-7, -3.5, -0.05, 0, 249.99, 250.01, -200.5, 33.3333333, null, 0.1 + 0.2, -0, 327.68, -327.67];
  for (const [n, device] of ['mon-a', 'mon-b', 'mon-c'].entries()) {
    const records: LevelRecord[] = [];
    let compactedUntil = -1;
    for (let i = 0; i < 3 * 3600; i++) {
      if (i < compactedUntil) continue;
      const t = T0 + i * 1000 + (i % 97 === 0 ? 250 : 0);
      const base = Math.round((30 + ((i * 7 + n * 13) % 400) / 10) * 100) / 100;
      const v = i % 11 === 0 ? odd[(i / 11) % odd.length]! : base;
      const d = i % 501 === 0 ? 0.5 : i % 503 === 0 ? 10 : i % 509 === 0 ? 1 / 3 : 1;
      const levels = { LAeq: v, LCeq: base + 8, LZeq: i % 13 === 0 ? null : base + 12, LAFmax: base + 6, LAFmin: base - 4, LASmax: base + 3, LCpeak: base + 30 };
      if (i % 1201 === 0) {
        // The outbox's compaction (issue 3): one record for a whole minute, the minute's 1 s records gone.
        records.push({ t: iso(t), d: 60, n: 60, ...levels });
        compactedUntil = i + 60;
      } else if (i % 89 === 0) {
        // Digital silence: every level null (DESIGN §2).
        records.push({ t: iso(t), d: 1, LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, silent: true });
      } else {
        records.push({ t: iso(t), d, ...levels });
      }
    }
    fx.ingest.db.transaction(() => w.write(device, n, { fullScaleDb: 120, records }))();
  }
  // mon-a's clock: synced, then off by 5 s from mid-hour, then synced again.
  const a = fx.device('mon-a');
  a.heartbeat(T0 + 10 * 60_000, { synced: true, offsetMs: 3 });
  a.heartbeat(T0 + 47 * 60_000 + 500, { synced: true, offsetMs: 5_000 });
  a.heartbeat(T0 + 95 * 60_000, { synced: false, offsetMs: null });
  a.heartbeat(T0 + 140 * 60_000, { synced: true, offsetMs: 1 });
}

const SPANS = [span('mon-b', T0 + 17 * 60_000 + 300, T0 + 2 * HOUR + 5_000), span('mon-a', T0 + 20 * 60_000, T0 + 3 * HOUR), span('mon-b', T0 + 2 * HOUR + 30 * 60_000, T0 + 3 * HOUR + HOUR)];

describe('levels.csv from the level blocks', () => {
  it('gives byte for byte the rows of the levels table as the row formatter prints them, built from the rows or sealed', async () => {
    f = makeExportFixture(T0);
    fill(f);
    const db = f.ingest.db;
    const want = reference(db, SPANS);

    // Nothing sealed: every hour is built from its rows.
    const unsealed = createBlockReader(db);
    expect(bytesCsv(levelsCsvFromDb(db, SPANS, unsealed))).toBe(want);
    expect(unsealed.stats).toMatchObject({ stored: 0 });
    expect(unsealed.stats.built).toBeGreaterThan(0);

    // Sealed as the service seals them: the stored blocks give the same bytes.
    expect(await sealAll(db, T0 + 5 * HOUR)).toBe(3 * 4);
    const sealed = createBlockReader(db);
    const fast = bytesCsv(levelsCsvFromDb(db, SPANS, sealed));
    expect(fast).toBe(want);
    expect(sealed.stats).toMatchObject({ built: 0 });
    expect(sealed.stats.stored).toBeGreaterThan(0);
    // The row objects (a demonstration bundle's path) are the table's rows too.
    expect(rowsCsv(levelRows(db, SPANS, createBlockReader(db)))).toBe(want);

    const lines = fast.split('\r\n');
    expect(`${lines[0]}\r\n`).toBe(HEADER);
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    // Span by span, each in time order, only its own device's records in it.
    const devices = rows.map((r) => r[10]);
    const firstA = devices.indexOf('mon-a');
    const lastA = devices.lastIndexOf('mon-a');
    expect(devices.slice(0, firstA).every((d) => d === 'mon-b')).toBe(true);
    expect(devices.slice(firstA, lastA + 1).every((d) => d === 'mon-a')).toBe(true);
    expect(devices.slice(lastA + 1).every((d) => d === 'mon-b')).toBe(true);
    expect(devices).not.toContain('mon-c');
    const spanOf = (i: number): number => (i < firstA ? 0 : i <= lastA ? 1 : 2);
    rows.forEach((r, i) => {
      if (i > 0 && spanOf(i) === spanOf(i - 1)) expect(Date.parse(r[0]!)).toBeGreaterThan(Date.parse(rows[i - 1]![0]!));
    });
    // Partial hours at the span's edges: from 23:50 exactly, to 02:30 exactly.
    const a = rows.filter((r) => r[10] === 'mon-a');
    expect(a[0]![0]).toBe('2026-10-24T23:50:00.000Z');
    expect(a.at(-1)![0]).toBe('2026-10-25T02:29:59.000Z');
    // Every second of the span but the 59 after each of the eight compacted minutes in it (from 23:50:01 on).
    expect(a).toHaveLength(Math.round((3 * HOUR - 20 * 60_000) / 1000) - 8 * 59);

    // The awkward values, as String(v) prints them.
    expect(fast).toContain(',28.299999999999997,');
    expect(fast).toContain(',45.123,');
    expect(fast).toContain(',1e-7,');
    expect(fast).toContain(',250.01,');
    expect(fast).toContain(',327.68,');
    expect(fast).toContain(',-327.67,');
    expect(fast).toContain(',0.30000000000000004,');
    expect(fast).toContain(',0.3333333333333333,');
    // Silence: every level empty; a compacted minute: d 60.
    expect(a.find((r) => r[0] === '2026-10-24T23:52:15.000Z')?.slice(2, 10)).toEqual(['1', '', '', '', '', '', '', '']);
    expect(a.find((r) => r[0] === '2026-10-25T00:50:04.000Z')?.[2]).toBe('60');
    expect(a.find((r) => r[0] === '2026-10-25T00:50:05.000Z')).toBeUndefined();
    // Both sides of the clock change, and the clock flag from the heartbeat in force.
    expect(fast).toContain('2026-10-25T00:59:59.000Z,2026-10-25T01:59:59+01:00,');
    expect(fast).toContain('2026-10-25T01:00:00.000Z,2026-10-25T01:00:00+00:00,');
    expect(a.find((r) => r[0] === '2026-10-25T00:17:00.000Z')?.[11]).toBe('');
    expect(a.find((r) => r[0] === '2026-10-25T00:17:01.000Z')?.[11]).toBe('offset-over-2s');
    expect(a.find((r) => r[0] === '2026-10-25T01:05:00.000Z')?.[11]).toBe('unsynchronised');
    // A sub-second record's time keeps its milliseconds.
    expect(fast).toContain('2026-10-24T23:51:01.250Z,2026-10-25T00:51:01+01:00,');
  });

  it('writes the exact line of every stored level from −200 to 250 dB at 0.01 dB, sealed', async () => {
    f = makeExportFixture(T0);
    const w = createLevelsWriter(f.ingest.db);
    const records: LevelRecord[] = [];
    for (let k = -20_000; k <= 25_000; k++) {
      const v = k / 100;
      records.push({ t: iso(T0 + (k + 20_000) * 1000), d: 1, LAeq: v, LCeq: -v / 2, LZeq: null, LAFmax: v, LAFmin: v, LASmax: v, LCpeak: v });
    }
    f.ingest.db.transaction(() => w.write('mon-a', 1, { fullScaleDb: 120, records }))();
    await sealAll(f.ingest.db, T0 + 14 * HOUR);
    const spans = [span('mon-a', T0, T0 + 45_001_000)];
    const blocks = createBlockReader(f.ingest.db);
    const fast = bytesCsv(levelsCsvFromDb(f.ingest.db, spans, blocks));
    // 23:30 to 12:00:00 (45 001 s): 14 hours.
    expect(blocks.stats.stored).toBe(14);
    expect(fast).toBe(reference(f.ingest.db, spans));
    expect(fast.split('\r\n')[1]).toBe('2026-10-24T23:30:00.000Z,2026-10-25T00:30:00+01:00,1,-200,100,,-200,-200,-200,-200,mon-a,no-heartbeat');
  });

  it('takes a late record into a sealed hour: the writer drops the block in its transaction, the export has the record, the next pass reseals', async () => {
    f = makeExportFixture(T0);
    fill(f);
    const db = f.ingest.db;
    const now = T0 + 5 * HOUR;
    await sealAll(db, now);
    const hour = Date.parse('2026-10-25T01:00:00.000Z');
    const blockRows = (): number | undefined => db.prepare<[number], { rows: number }>("SELECT rows FROM level_blocks WHERE device = 'mon-a' AND hour_ms = ?").get(hour)?.rows;
    const before = blockRows();
    expect(before).toBeGreaterThan(3000);

    // A resend from the monitor's journal: a record the compacted minute from 01:10:05 had left out.
    const late: LevelRecord = { t: '2026-10-25T01:10:30.000Z', d: 1, LAeq: 61.5, LCeq: 70, LZeq: 72, LAFmax: 66.25, LAFmin: 55, LASmax: 63, LCpeak: 90 };
    const w = createLevelsWriter(db);
    // A transaction that fails leaves the block as it was, and the next batch still drops it.
    expect(() => db.transaction(() => {
      w.write('mon-a', 99, { fullScaleDb: 120, records: [late] });
      throw new Error('the batch failed after storing');
    })()).toThrow('the batch failed');
    expect(blockRows()).toBe(before);
    expect(w.write('mon-a', 99, { fullScaleDb: 120, records: [late] })).toBe(1);
    expect(blockRows()).toBeUndefined();
    // A record already stored (a resend of a stored one) changes nothing and drops nothing.
    await sealAll(db, now);
    expect(blockRows()).toBe(before! + 1);
    expect(w.write('mon-a', 100, { fullScaleDb: 120, records: [late] })).toBe(0);
    expect(blockRows()).toBe(before! + 1);

    const csv = bytesCsv(levelsCsvFromDb(db, SPANS));
    expect(csv).toBe(reference(db, SPANS));
    expect(csv).toContain('2026-10-25T01:10:30.000Z,2026-10-25T01:10:30+00:00,1,61.5,70,72,66.25,55,63,90,mon-a,unsynchronised\r\n');
  });

  it('does not trust a stored block that disagrees with the rollups: the hour is read from its rows', async () => {
    f = makeExportFixture(T0);
    fill(f);
    const db = f.ingest.db;
    await sealAll(db, T0 + 5 * HOUR);
    const hour = Date.parse('2026-10-25T00:00:00.000Z');
    const stale = db.prepare<[number], Record<string, unknown>>("SELECT * FROM level_blocks WHERE device = 'mon-a' AND hour_ms = ?").get(hour)!;
    // A record stored by a writer that did not drop blocks (an older release), its block put back as it was.
    createLevelsWriter(db).write('mon-a', 7, { fullScaleDb: 120, records: [{ t: '2026-10-25T00:50:30.000Z', d: 1, LAeq: 44.44, LCeq: 50, LZeq: 52, LAFmax: 49, LAFmin: 40, LASmax: 46, LCpeak: 70 }] });
    db.prepare(`INSERT INTO level_blocks (${Object.keys(stale).join(', ')}) VALUES (${Object.keys(stale).map((k) => `@${k}`).join(', ')})`).run(stale);
    const blocks = createBlockReader(db);
    // Not even its summary is taken (export/full-scale.ts reads it without the block).
    expect(blocks.hours('mon-a', hour, hour + HOUR)[0]!.sealed).toBeNull();
    const csv = bytesCsv(levelsCsvFromDb(db, SPANS, blocks));
    expect(blocks.stats.built).toBe(1);
    expect(csv).toBe(reference(db, SPANS));
    expect(csv).toContain('2026-10-25T00:50:30.000Z,2026-10-25T01:50:30+01:00,1,44.44,');
    // The service's next pass finds it and reseals it.
    expect(await sealAll(db, T0 + 5 * HOUR)).toBe(1);
  });

  it("marks a demonstration bundle's rows from the blocks as it marked the table's rows", async () => {
    f = makeExportFixture(T0);
    fill(f);
    const db = f.ingest.db;
    await sealAll(db, T0 + 5 * HOUR);
    const marked = [...(markCsvChunks(levelsCsv(levelRows(db, SPANS))) as Iterable<string>)].join('');
    expect(marked).toBe([...(markCsvChunks(levelsCsv(tableRows(db, SPANS))) as Iterable<string>)].join(''));
    expect(marked.split('\r\n')[0]).toBe('time_utc,time_london,duration_s,LAeq,LCeq,LZeq,LAFmax,LAFmin,LASmax,LCpeak,device,clock_flag,demonstration');
    expect(marked.split('\r\n')[1]).toMatch(/,mon-b,no-heartbeat,DEMONSTRATION DATA - not evidence$/);
  });

  it('is only the header for a span with no records', () => {
    f = makeExportFixture(T0);
    expect(bytesCsv(levelsCsvFromDb(f.ingest.db, [span('mon-a', T0, T0 + HOUR)]))).toBe(HEADER);
  });
});
