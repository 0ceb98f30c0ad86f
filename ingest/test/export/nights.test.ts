/**
 * The nights summary (issue 10): the Noise Act assessment of a night from the
 * stored 1 s levels (pure core, across both DST nights) and data/nights.csv and
 * the PDF section from a real data folder through the real pipeline.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NIGHTS_HEADER } from '../../src/bundle/csv.ts';
import { parseCsv } from '../../src/cases/csv.ts';
import { addDiaryEntry, openCase, startDeployment } from '../../src/cases/index.ts';
import { exportCaseBundle } from '../../src/export/index.ts';
import { nightsTouching } from '../../src/export/night-hours.ts';
import { ENGLAND_NOISE_ACT } from '../../src/export/nights.ts';
import { NightAssessment } from '../../src/export/noise-act-periods.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A night of steady `base` dB records from `from` for `seconds`, with louder stretches [fromMs, toMs, dB]. */
function assess(start: number, end: number, base: number, loud: readonly [number, number, number][] = [], from = start, seconds = (end - start) / 1000): NightAssessment {
  const a = new NightAssessment(start, end, ENGLAND_NOISE_ACT);
  for (let i = 0; i < seconds; i++) {
    const t = from + i * 1000;
    const l = loud.find(([s, e]) => t >= s && t < e)?.[2] ?? base;
    a.add(t, 1, l, l + 6);
  }
  return a;
}

describe('night hours', () => {
  it('are 23:00–07:00 UK time: 8 h, 7 h on the spring-forward night, 9 h on the fall-back night', () => {
    const spring = nightsTouching(Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-03-29T12:00:00Z'));
    expect(spring).toEqual([{ nightOf: '2026-03-28', start: Date.parse('2026-03-28T23:00:00Z'), end: Date.parse('2026-03-29T06:00:00Z') }]);
    const autumn = nightsTouching(Date.parse('2026-10-24T12:00:00Z'), Date.parse('2026-10-25T12:00:00Z'));
    expect(autumn).toEqual([{ nightOf: '2026-10-24', start: Date.parse('2026-10-24T22:00:00Z'), end: Date.parse('2026-10-25T07:00:00Z') }]);
    const summer = nightsTouching(Date.parse('2026-06-01T03:00:00Z'), Date.parse('2026-06-01T23:00:00Z'));
    expect(summer.map((n) => [n.nightOf, iso(n.start), iso(n.end)])).toEqual([
      ['2026-05-31', '2026-05-31T22:00:00.000Z', '2026-06-01T06:00:00.000Z'],
      ['2026-06-01', '2026-06-01T22:00:00.000Z', '2026-06-02T06:00:00.000Z'],
    ]);
  });
});

describe('the Noise Act assessment of a night from 1 s levels', () => {
  const start = Date.parse('2026-11-02T23:00:00Z');
  const end = Date.parse('2026-11-03T07:00:00Z');

  it('counts clock-aligned 5-minute periods over the permitted level of the same night', () => {
    const r = assess(start, end, 20, [[start + 30 * MIN, start + 35 * MIN, 40], [start + 62 * MIN, start + 64 * MIN, 60]]).result();
    // 23:30–23:35 at 40 dB; 00:02–00:04 at 60 dB falls in one period (00:00–00:05).
    expect(r).toEqual({ monitoredSeconds: 28_800, periodsAssessed: 96, exceedances: 2, worstLAeq: 56.02, worstOverByDb: 22.02, LAFmaxMax: 66 });
  });

  it('23:00 edge: 48 dB from 22:55 to 23:00 is not in the night, nor its LAFmax', () => {
    const r = assess(start, end, 20, [[start - 5 * MIN, start, 48]], start - 30 * MIN, 8.5 * 3600).result();
    expect(r).toEqual({ monitoredSeconds: 28_800, periodsAssessed: 96, exceedances: 0, worstLAeq: 20, worstOverByDb: -14, LAFmaxMax: 26 });
  });

  it('23:00 edge: the underlying level is the night\'s (30 dB → permitted 40 dB), not the quieter evening\'s', () => {
    const a = new NightAssessment(start, end, ENGLAND_NOISE_ACT);
    for (let t = start - 30 * MIN; t < start + 20 * MIN; t += 1000) a.add(t, 1, t < start ? 20 : t >= start + 10 * MIN && t < start + 15 * MIN ? 41 : 30, 45);
    const r = a.result();
    expect(r.exceedances).toBe(1);
    expect(r.worstOverByDb).toBe(1);
  });

  it('07:00 edge: a record running past 07:00 is not in the night; a 5-minute period with a missing second is not assessed', () => {
    // Every second but 06:55:00–06:59:59 of the last period, and a loud record 06:59:59.5–07:00:00.5.
    const a = assess(start, end, 20, [], start, 8 * 3600 - 300);
    a.add(end - 1000, 1, 20, 26);
    a.add(end - 500, 1, 90, 99);
    const r = a.result();
    expect(r.periodsAssessed).toBe(95);
    expect(r.monitoredSeconds).toBe(28_800 - 299);
    expect(r.LAFmaxMax).toBe(26);
    expect(r.exceedances).toBe(0);
  });

  it('exactly at the permitted level is not an exceedance ("exceeds", s.4)', () => {
    expect(assess(start, end, 20, [[start + 30 * MIN, start + 35 * MIN, 34]]).result().exceedances).toBe(0);
  });

  it('spring forward (night of 28 March 2026): 7 h, 84 periods; fall back (24 October 2026): 9 h, 108 periods', () => {
    const s = Date.parse('2026-03-28T23:00:00Z');
    const spring = assess(s, s + 7 * HOUR, 20, [[s + 7 * HOUR - 5 * MIN, s + 7 * HOUR, 40]], s - HOUR, 9 * 3600).result();
    expect(spring).toMatchObject({ monitoredSeconds: 25_200, periodsAssessed: 84, exceedances: 1, worstLAeq: 40 });
    const f = Date.parse('2026-10-24T22:00:00Z');
    const autumn = assess(f, f + 9 * HOUR, 20, [[f + 8 * HOUR + 30 * MIN, f + 8 * HOUR + 35 * MIN, 40]], f - HOUR, 11 * 3600).result();
    expect(autumn).toMatchObject({ monitoredSeconds: 32_400, periodsAssessed: 108, exceedances: 1, worstLAeq: 40 });
  });
});

describe('data/nights.csv and the nights summary section, from a real data folder', () => {
  let f: ExportFixture;
  afterEach(() => f.close());

  it('gives one row per night the period touches, field by field, and prints the summary first in the PDF', async () => {
    // Monday 2 November 2026, midday GMT: UK time = UTC.
    const T0 = Date.parse('2026-11-02T12:00:00.000Z');
    f = makeExportFixture(T0 - DAY);
    const ref = 'ASB-2026-0201';
    openCase(f.ingest.cases, { ref, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    const dev = f.device('mon-1');
    startDeployment(f.ingest.cases, { caseRef: ref, deviceId: 'mon-1', installedAt: iso(T0 + 10 * HOUR), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
    const night = T0 + 11 * HOUR;
    dev.heartbeat(T0 + 10 * HOUR, { synced: true, offsetMs: 5 });
    // 22:30–22:55 20 dB, 22:55–23:00 48 dB (before night hours), 23:00–23:30 20 dB, 23:30–23:35 40 dB, then 20 dB to 07:30 with 03:00–03:10 missing.
    dev.levels(night - 30 * MIN, 25 * 60, 20);
    dev.levels(night - 5 * MIN, 5 * 60, 48);
    dev.levels(night, 30 * 60, 20);
    dev.levels(night + 30 * MIN, 5 * 60, 40);
    dev.levels(night + 35 * MIN, 205 * 60, 20);
    dev.levels(night + 4 * HOUR + 10 * MIN, 260 * 60, 20);
    await dev.event({ startMs: night + 30 * MIN, seconds: 300, laeq: 40, tone: 440, clip: false });
    await dev.event({ startMs: night + 3 * HOUR, seconds: 5, laeq: 30, ruleId: 'impulsive', ruleType: 'impulsive', threshold: 40, tone: 440, clip: false });
    dev.incident(night + 2 * HOUR);
    addDiaryEntry(f.ingest.cases, ref, { startedAt: iso(night + 31 * MIN), heard: 'Music through the wall' });
    f.clock = T0 + 3 * DAY;

    const out = f.temp();
    const bundle = await exportCaseBundle(f.ingest, ref, { from: iso(T0), to: iso(T0 + 2 * DAY) }, { outDir: out });
    const zip = new Map((await readZipEntries(bundle.path)).map((e) => [e.name, e.bytes]));
    const parsed = parseCsv(zip.get('data/nights.csv')!.toString('utf8'));
    if (!parsed.ok) throw new Error(parsed.problem);
    const [header, ...rows] = parsed.records.map((r) => r.fields);
    expect(header!.slice(0, 10)).toEqual(['night_of', 'monitored_s', 'coverage_pct', 'events', 'noise_act_exceedances', 'worst_5min_LAeq', 'worst_over_by_db', 'LAFmax_max', 'events_LAFmax_over_45', 'diary_entries']);
    expect(header).toEqual([...NIGHTS_HEADER]);
    const row = (r: readonly string[] | undefined): Record<string, string> => Object.fromEntries(header!.map((h, i) => [h, r![i]!]));
    expect(rows).toHaveLength(2);
    // 8 h less the 10 missing minutes; the 48 dB before 23:00 counts nowhere (LAFmax_max is 40 + 6).
    expect(row(rows[0])).toEqual({
      night_of: '2026-11-02', monitored_s: '28200', coverage_pct: '97.9', events: '2', noise_act_exceedances: '1', worst_5min_LAeq: '40', worst_over_by_db: '6', LAFmax_max: '46',
      events_LAFmax_over_45: '1', diary_entries: '1', device: 'mon-1', night_start_utc: '2026-11-02T23:00:00.000Z', night_end_utc: '2026-11-03T07:00:00.000Z', night_s: '28800',
      periods_assessed: '94', incidents: '1', permitted_level_db: '34', underlying_limit_db: '24', excess_db: '10',
    });
    expect(row(rows[1])).toMatchObject({ night_of: '2026-11-03', monitored_s: '0', coverage_pct: '0', events: '0', noise_act_exceedances: '0', worst_5min_LAeq: '', worst_over_by_db: '', LAFmax_max: '', diary_entries: '0', periods_assessed: '0' });
    expect(bundle.manifest.map((m) => m.path)).toContain('data/nights.csv');

    const file = join(out, 'bundle.pdf');
    writeFileSync(file, zip.get('bundle.pdf')!);
    const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
    expect(text.indexOf('1. Nights summary')).toBeGreaterThan(-1);
    expect(text.indexOf('2. Case summary')).toBeGreaterThan(text.indexOf('1. Nights summary'));
    const section = text.slice(text.lastIndexOf('1. Nights summary'), text.lastIndexOf('2. Case summary'));
    for (const s of ['Mon, 2 Nov 2026', 'Tue, 3 Nov 2026', '7 h 50 min', '(97.9 %)', 'No level', '1 of 94', '40.0 dB (6.0 dB', '46.0 dB', 'Noise Act night: 1', 'Impulsive noise: 1', 'Button presses: 1', 'consecutive 5-minute periods aligned to the clock']) expect(section).toContain(s);
  });
});
