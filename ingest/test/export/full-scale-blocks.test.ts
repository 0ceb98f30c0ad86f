/**
 * The calibration periods a bundle states (export/full-scale.ts, issue 10 item
 * 3) read from the level blocks: runs of one fullScaleDb from their first
 * record to the next run's first, the last to the end of its last record — the
 * same whether the hours are built from their rows or sealed, and whether a
 * sealed hour is passed over by its summary or walked record by record (a
 * change mid-hour, a span that starts and ends mid-hour).
 */
import type { LevelRecord } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createFullScaleReader } from '../../src/export/full-scale.ts';
import type { DeploymentSpan } from '../../src/export/spans.ts';
import { createBlockReader, createBlockSealer, sealPass } from '../../src/store/level-blocks/index.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

const T0 = Date.parse('2026-11-02T20:00:00.000Z');
const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const when = (t: string): string => t;

let f: ExportFixture | undefined;
afterEach(() => f?.close());

function batch(from: number, n: number, d = 1): LevelRecord[] {
  return Array.from({ length: n }, (_, i) => ({ t: iso(from + i * 1000), d, LAeq: 40, LCeq: 48, LZeq: 50, LAFmax: 45, LAFmin: 35, LASmax: 42, LCpeak: 70 }));
}

describe('calibration periods from the level blocks', () => {
  it('gives the same runs built from rows, sealed and passed over by summary, and sealed and walked', async () => {
    f = makeExportFixture(T0);
    const db = f.ingest.db;
    const w = createLevelsWriter(db);
    // 20:00–22:00 at 120 dB; from 22:00 at 119.9 (a recalibration on the hour); from 22:40:10 at 121.003 (mid-hour);
    // from 22:50:10 at 121.008, within 0.006 dB of the run's 121.003: the same calibration, no new run.
    w.write('mon-a', 1, { fullScaleDb: 120, records: batch(T0, 2 * 3600) });
    w.write('mon-a', 2, { fullScaleDb: 119.9, records: batch(T0 + 2 * HOUR, 2410) });
    w.write('mon-a', 3, { fullScaleDb: 121.003, records: batch(T0 + 2 * HOUR + 2410_000, 600) });
    w.write('mon-a', 4, { fullScaleDb: 121.003 + 0.005, records: batch(T0 + 2 * HOUR + 3010_000, 590, 2.5) });
    const span: DeploymentSpan = { deployment: undefined as never, deviceId: 'mon-a', from: T0 + 30 * 60_000, to: T0 + 3 * HOUR - 30_000 };
    const want = [
      { from: iso(T0 + 30 * 60_000), to: iso(T0 + 2 * HOUR), fullScaleDb: 120, source: 'levels' },
      { from: iso(T0 + 2 * HOUR), to: iso(T0 + 2 * HOUR + 2410_000), fullScaleDb: 119.9, source: 'levels' },
      // The last run ends at the span's end (its last record, 22:59:29, lasts 2.5 s past it).
      { from: iso(T0 + 2 * HOUR + 2410_000), to: iso(span.to), fullScaleDb: 121.003, source: 'levels' },
    ];
    const periods = (): unknown => createFullScaleReader(db, createBlockReader(db))(span, [], when).periods;
    expect(periods()).toEqual(want);
    await sealPass(createBlockSealer(db), { nowMs: T0 + DAY_MS });
    const reader = createBlockReader(db);
    expect(createFullScaleReader(db, reader)(span, [], when).periods).toEqual(want);
    // 20:00 and 22:00 are cut by the span and 22:00 changes inside: walked; 21:00 is passed over by its summary.
    expect(reader.stats).toEqual({ stored: 2, built: 0 });
    // A span that ends inside the last run's last record ends there; one to the end of the data ends with that record.
    const whole: DeploymentSpan = { ...span, from: T0, to: T0 + 4 * HOUR };
    expect(createFullScaleReader(db)(whole, [], when).periods.at(-1)).toEqual({ from: iso(T0 + 2 * HOUR + 2410_000), to: iso(T0 + 2 * HOUR + 3010_000 + 589_000 + 2500), fullScaleDb: 121.003, source: 'levels' });
  });
});
