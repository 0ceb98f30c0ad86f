/**
 * data/levels.csv from SQLite (export/level-csv.ts, issue 10's 10 s export):
 * the fast byte writer gives exactly the bytes the row formatter gives for the
 * same records (levelRows + levelsCsv), in the same order — span by span, each
 * device's records in time order, never a neighbour's — on a real data folder
 * with the awkward records: values not held to 0.01 dB, silence, negative and
 * out-of-range levels, compacted and sub-second records, a clock flag that
 * changes mid-hour, spans that start and end mid-hour, and the autumn clock change.
 */
import type { LevelRecord } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { levelsCsv } from '../../src/bundle/csv.ts';
import type { LevelRow } from '../../src/bundle/model.ts';
import { levelsCsvFromDb } from '../../src/export/level-csv.ts';
import { levelRows } from '../../src/export/level-rows.ts';
import type { DeploymentSpan } from '../../src/export/spans.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

// The Summer Time Order 2002: UK clocks go back at 01:00 UTC on 25 October 2026.
const T0 = Date.parse('2026-10-24T23:30:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

let f: ExportFixture | undefined;
afterEach(() => f?.close());

function rowsCsv(rows: Iterable<LevelRow>): string {
  return [...(levelsCsv(rows) as Iterable<string>)].join('');
}

function bytesCsv(chunks: Iterable<Uint8Array>): string {
  return Buffer.concat([...chunks]).toString('utf8');
}

const span = (deviceId: string, from: number, to: number): DeploymentSpan => ({ deployment: undefined as never, deviceId, from, to });

/** Three monitors' records interleaved in time, as the store holds them. */
function fill(fx: ExportFixture): void {
  const w = createLevelsWriter(fx.ingest.db);
  const odd = [45.123, 34.07 + 8, 1e-7, -3.5, -0.05, 0, 249.99, 250.01, -200.5, 33.3333333, null, 0.1 + 0.2];
  for (const [n, device] of ['mon-a', 'mon-b', 'mon-c'].entries()) {
    const records: LevelRecord[] = [];
    for (let i = 0; i < 3 * 3600; i++) {
      const t = T0 + i * 1000 + (i % 97 === 0 ? 250 : 0);
      const base = Math.round((30 + ((i * 7 + n * 13) % 400) / 10) * 100) / 100;
      const v = i % 11 === 0 ? odd[(i / 11) % odd.length]! : base;
      records.push({ t: iso(t), d: i % 501 === 0 ? 0.5 : i % 503 === 0 ? 10 : 1, LAeq: v, LCeq: base + 8, LZeq: i % 13 === 0 ? null : base + 12, LAFmax: base + 6, LAFmin: base - 4, LASmax: base + 3, LCpeak: base + 30 });
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

describe('levels.csv straight from SQLite', () => {
  it('gives byte for byte the rows the row formatter gives, span by span, in time order', () => {
    f = makeExportFixture(T0);
    fill(f);
    const spans = [span('mon-b', T0 + 17 * 60_000 + 300, T0 + 2 * HOUR + 5_000), span('mon-a', T0 + 20 * 60_000, T0 + 3 * HOUR), span('mon-b', T0 + 2 * HOUR + 30 * 60_000, T0 + 3 * HOUR + HOUR)];
    const fast = bytesCsv(levelsCsvFromDb(f.ingest.db, spans));
    const slow = rowsCsv(levelRows(f.ingest.db, spans));
    expect(fast).toBe(slow);

    const lines = fast.split('\r\n');
    expect(lines[0]).toBe('time_utc,time_london,duration_s,LAeq,LCeq,LZeq,LAFmax,LAFmin,LASmax,LCpeak,device,clock_flag');
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
    expect(rows.filter((r) => r[10] === 'mon-a')).toHaveLength(Math.round((3 * HOUR - 20 * 60_000) / 1000));

    // The awkward values, as String(v) prints them.
    expect(fast).toContain(',28.299999999999997,');
    expect(fast).toContain(',45.123,');
    expect(fast).toContain(',1e-7,');
    expect(fast).toContain(',250.01,');
    expect(fast).toContain(',0.30000000000000004,');
    // Both sides of the clock change, and the clock flag from the heartbeat in force.
    expect(fast).toContain('2026-10-25T00:59:59.000Z,2026-10-25T01:59:59+01:00,');
    expect(fast).toContain('2026-10-25T01:00:00.000Z,2026-10-25T01:00:00+00:00,');
    const a = rows.filter((r) => r[10] === 'mon-a');
    expect(a.find((r) => r[0] === '2026-10-25T00:17:00.000Z')?.[11]).toBe('');
    expect(a.find((r) => r[0] === '2026-10-25T00:17:01.000Z')?.[11]).toBe('offset-over-2s');
    expect(a.find((r) => r[0] === '2026-10-25T01:05:00.000Z')?.[11]).toBe('unsynchronised');
  });

  it('writes the exact line of every stored level from −200 to 250 dB at 0.01 dB', () => {
    f = makeExportFixture(T0);
    const w = createLevelsWriter(f.ingest.db);
    const records: LevelRecord[] = [];
    for (let k = -20_000; k <= 25_000; k++) {
      const v = k / 100;
      records.push({ t: iso(T0 + (k + 20_000) * 1000), d: 1, LAeq: v, LCeq: -v / 2, LZeq: null, LAFmax: v, LAFmin: v, LASmax: v, LCpeak: v });
    }
    f.ingest.db.transaction(() => w.write('mon-a', 1, { fullScaleDb: 120, records }))();
    const spans = [span('mon-a', T0, T0 + 45_001_000)];
    const fast = bytesCsv(levelsCsvFromDb(f.ingest.db, spans));
    expect(fast).toBe(rowsCsv(levelRows(f.ingest.db, spans)));
    expect(fast.split('\r\n')[1]).toBe('2026-10-24T23:30:00.000Z,2026-10-25T00:30:00+01:00,1,-200,100,,-200,-200,-200,-200,mon-a,no-heartbeat');
  });

  it('is only the header for a span with no records', () => {
    f = makeExportFixture(T0);
    expect(bytesCsv(levelsCsvFromDb(f.ingest.db, [span('mon-a', T0, T0 + HOUR)]))).toBe('time_utc,time_london,duration_s,LAeq,LCeq,LZeq,LAFmax,LAFmin,LASmax,LCpeak,device,clock_flag\r\n');
  });
});
