/**
 * The officer web view's timeline reads on PostgreSQL (issue 14): a case built through the real pipeline
 * into a real data folder — two monitors, 1 s levels over four hours with silences, a deployment installed
 * and one removed mid-minute, 1/3-octave bands on one monitor, events (ended, open, an incident mark, a gap
 * record), clips and diary entries — copied into a real PostgreSQL with `store copy`'s own code. The same
 * steps (timelineSteps, caseBandsSteps, eventSpectrumSteps) must give the same answer on both stores, on
 * grids read from the raw records, from each rollup tier and from both with ragged ends; and refuse an
 * unknown case, event or period with the same code.
 */
import type { LevelRecord } from '@earshot/shared';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDiaryEntry, endDeployment, openCase, startDeployment } from '../../src/cases/index.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { openPostgres } from '../../src/storage/postgres/connect.ts';
import { postgresRecord } from '../../src/storage/record/postgres-record.ts';
import { readNow } from '../../src/storage/record/sqlite-record.ts';
import type { Steps } from '../../src/storage/record/steps.ts';
import { caseBandsSteps, eventSpectrumSteps, timelineSteps } from '../../src/timeline/index.ts';
import { type ExportFixture, HOUR, type TestDevice, makeExportFixture } from '../export/fixture.ts';
import { codeOfAsync } from '../support/error-code.ts';
import { usePostgres } from '../storage/pg-fixture.ts';

const MIN = 60_000;
/** Monday 2 November 2026, 22:00 (GMT: UK time = UTC). */
const T0 = Date.parse('2026-11-02T22:00:00.000Z');
const REF = 'ASB-2026-0501';
const OTHER = 'ASB-2026-0502';
const iso = (ms: number): string => new Date(ms).toISOString();
/** Four hours of 1 s records from T0 on each monitor. */
const SECONDS = 4 * 3600;
/** mon-1 installed 90.5 s after T0 (mid-minute); mon-2 removed 3 h 0 min 37 s after it. */
const INSTALLED_1 = T0 + 90_500;
const REMOVED_2 = T0 + 3 * HOUR + 37_000;
const BANDS = 31; // 10 Hz … 10 kHz

/** Repeatable levels with a slow swing, a loud second now and then, and digital silence every 211th second. */
function record(t: number, bands: boolean): LevelRecord {
  const i = (t - T0) / 1000;
  if (i % 211 === 5) return { t: iso(t), d: 1, LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, silent: true };
  const l = Math.round((30 + ((i * 7919) % 400) / 10 + (i % 97 === 0 ? 30 : 0)) * 10) / 10;
  const z3 = bands ? { Z3: { f0: '10' as const, dB10: Array.from({ length: BANDS }, (_, k) => (k === 0 && i % 10 === 3 ? null : 300 - k * 5 + ((i * 7 + k) % 30) + (i % 600 < 120 && k < 12 ? 200 : 0))) } } : {};
  return { t: iso(t), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 10, LAFmax: l + 3, LAFmin: l - 2, LASmax: l + 1, LCpeak: l + 20, ...z3 };
}

function sendLevels(f: ExportFixture, dev: TestDevice, bands: boolean): void {
  for (let i = 0; i < SECONDS; i += 600) {
    const records = Array.from({ length: 600 }, (_, k) => record(T0 + (i + k) * 1000, bands));
    f.clock = T0 + (i + 600) * 1000;
    dev.send('levels', { fullScaleDb: 120, records }, f.clock);
  }
}

/** The seconds with a level each monitor sent inside its deployment on the case and [from, to): the reference, from record() alone. */
function measuredSeconds(device: string, from: number, to: number): number {
  const [a, b] = device === 'mon-1' ? [INSTALLED_1, Number.POSITIVE_INFINITY] : [T0 - HOUR, REMOVED_2];
  let n = 0;
  for (let t = T0; t < T0 + SECONDS * 1000; t += 1000) if (t >= Math.max(a, from) && t < Math.min(b, to) && record(t, false).LAeq !== null) n += 1;
  return n;
}

interface Built {
  readonly bass: string;
  readonly press: string;
  readonly tie: string;
  readonly open: string;
  readonly plainEvent: string;
}

async function buildCase(f: ExportFixture): Promise<Built> {
  f.clock = T0 - 2 * HOUR;
  openCase(f.ingest.cases, { ref: REF, category: 'general', officer: 'Jo Smith', address: '5 Elm Court, Leeds' });
  openCase(f.ingest.cases, { ref: OTHER, category: 'general', officer: 'Jo Smith', address: '6 Elm Court, Leeds' });
  const mon1 = f.device('mon-1');
  const mon2 = f.device('mon-2');
  const mon3 = f.device('mon-3');
  const d2 = startDeployment(f.ingest.cases, { caseRef: REF, deviceId: 'mon-2', installedAt: iso(T0 - HOUR), installedBy: 'Sam Patel' });
  startDeployment(f.ingest.cases, { caseRef: OTHER, deviceId: 'mon-3', installedAt: iso(T0 - HOUR), installedBy: 'Sam Patel' });
  f.clock = T0 + 90_500;
  startDeployment(f.ingest.cases, { caseRef: REF, deviceId: 'mon-1', installedAt: iso(INSTALLED_1), installedBy: 'Sam Patel' });
  sendLevels(f, mon1, true);
  sendLevels(f, mon2, false);
  mon3.levels(T0, 1200, 40); // another case's monitor: never on this case's timeline
  f.clock = T0 + 4 * HOUR + MIN;
  const bass = await mon1.event({ startMs: T0 + 40 * MIN, seconds: 90, laeq: 45, ruleId: 'bass', ruleType: 'low-frequency', threshold: 15, tone: 60, clipSeconds: 30 });
  // Two presses at one instant, the later-listed monitor's first (and with the lower seq): listed by monitor on both stores.
  const tie = mon2.incident(T0 + 41 * MIN);
  const press = mon1.incident(T0 + 41 * MIN);
  await mon1.event({ startMs: T0 + 43 * MIN, seconds: 60, laeq: 60, ruleId: 'loud', ruleType: 'absolute', threshold: 55, tone: 440, clip: false });
  const open = mon1.started({ startMs: T0 + 3 * HOUR + 50 * MIN, level: 50, threshold: 38 });
  const plainEvent = await mon2.event({ startMs: T0 + 20 * MIN, seconds: 60, laeq: 60, ruleId: 'loud', ruleType: 'absolute', threshold: 55, tone: 440 });
  mon2.gap({ fromMs: T0 + 2 * HOUR, toMs: T0 + 2 * HOUR + 5 * MIN });
  await mon3.event({ startMs: T0 + 10 * MIN, seconds: 30, laeq: 60, ruleId: 'loud', ruleType: 'absolute', threshold: 55, tone: 440, clip: false });
  addDiaryEntry(f.ingest.cases, REF, { startedAt: iso(T0 + 39 * MIN), endedAt: iso(T0 + 45 * MIN), heard: 'Bass through the wall' });
  addDiaryEntry(f.ingest.cases, REF, { startedAt: iso(T0 + 2 * HOUR + 30 * MIN), heard: 'A door slammed' });
  endDeployment(f.ingest.cases, { deploymentId: d2.id, removedAt: iso(REMOVED_2), removedBy: 'Sam Patel' });
  f.clock = T0 + 5 * HOUR;
  return { bass: bass.eventId, press, tie, open, plainEvent: plainEvent.eventId };
}

const fx = usePostgres();
let f: ExportFixture;
let built: Built;
let pool: pg.Pool;

// One copy for the whole file (the fixture's own pools close after each test).
beforeAll(async () => {
  f = makeExportFixture(T0 - 2 * HOUR);
  built = await buildCase(f);
  pool = await openPostgres((await fx.database()).target);
  expect((await copyStore({ db: f.ingest.db, clipsDir: f.ingest.dir.clips }, pool)).ok).toBe(true);
}, 180_000);
afterAll(async () => {
  await pool?.end();
  f?.close();
});

/** The answer of one operation on each store: SQLite, then PostgreSQL. */
async function both<T>(steps: () => Steps<T>): Promise<[T, T]> {
  return [readNow(f.ingest.db, steps()), await postgresRecord(pool).read(steps())];
}

/** Periods and widths: 1 s over a night; whole minutes, ten minutes and hours over the span; ragged ends. */
const GRIDS = [
  { name: '1 s steps over the night', from: T0 - 2 * HOUR, to: T0 + 6 * HOUR, width: 28_800, stepSeconds: 1 },
  { name: '1 min steps over the span', from: T0, to: T0 + 4 * HOUR, width: 240, stepSeconds: 60 },
  { name: '5 min steps over the span', from: T0, to: T0 + 4 * HOUR, width: 48, stepSeconds: 300 },
  { name: '10 min steps over the span', from: T0, to: T0 + 4 * HOUR, width: 24, stepSeconds: 600 },
  { name: '1 h steps over the span', from: T0, to: T0 + 4 * HOUR, width: 4, stepSeconds: 3600 },
  { name: 'ragged ends at 2 min steps', from: T0 + 7 * MIN + 13_400, to: T0 + 3 * HOUR + 21 * MIN + 7_900, width: 100, stepSeconds: 120 },
  { name: 'ragged ends at 20 min steps', from: T0 + 7 * MIN + 13_400, to: T0 + 3 * HOUR + 21 * MIN + 7_900, width: 11, stepSeconds: 1200 },
  { name: 'ragged ends at 15 s steps', from: T0 + 7 * MIN + 13_400, to: T0 + 3 * HOUR + 21 * MIN + 7_900, width: 1000, stepSeconds: 15 },
] as const;

describe('the timeline on PostgreSQL', () => {
  for (const g of GRIDS) {
    it(`is the embedded store's timeline: ${g.name}`, async () => {
      const [lite, pgTl] = await both(() => timelineSteps({ caseRef: REF, from: g.from, to: g.to, width: g.width }, f.clock));
      expect(lite.bucket.stepSeconds).toBe(g.stepSeconds);
      expect(lite.levels.map((l) => l.deviceId).sort()).toEqual(['mon-1', 'mon-2']);
      // Every measured second of each deployment in the period counted once, whichever tiers and pages it was read from.
      for (const l of lite.levels) expect(l.seconds.reduce((a, b) => a + b, 0), l.deviceId).toBe(measuredSeconds(l.deviceId, g.from, g.to));
      expect(lite.events.length).toBeGreaterThan(0);
      expect(pgTl).toEqual(lite);
    }, 60_000);
  }

  it('carries every kind of evidence of the case, and none of another case', async () => {
    const [lite, pgTl] = await both(() => timelineSteps({ caseRef: REF, from: T0, to: T0 + 4 * HOUR, width: 240 }, f.clock));
    expect(pgTl).toEqual(lite);
    expect(lite.events.map((e) => e.eventId).sort()).toEqual([built.bass, built.press, built.tie, built.open, built.plainEvent, `mon-1-${T0 + 43 * MIN}-loud`].sort());
    expect(lite.events.filter((e) => Date.parse(e.start) === T0 + 41 * MIN).map((e) => [e.deviceId, e.eventId])).toEqual([['mon-1', built.press], ['mon-2', built.tie]]);
    expect(lite.clips.length).toBe(2);
    expect(lite.diary.length).toBe(2);
    expect(lite.gaps.length).toBe(1);
    expect(lite.levels.some((l) => l.deviceId === 'mon-3')).toBe(false);
  }, 60_000);
});

describe('the bands on PostgreSQL', () => {
  for (const g of GRIDS.filter((x) => x.width <= 4_000)) {
    it(`are the embedded store's bands: ${g.name}`, async () => {
      const [lite, pgBands] = await both(() => caseBandsSteps({ caseRef: REF, from: g.from, to: g.to, width: g.width }, f.clock));
      expect(lite.bands.length).toBe(BANDS);
      expect(lite.devices.find((d) => d.deviceId === 'mon-1')!.levels.some((l) => l !== null)).toBe(true);
      expect(pgBands).toEqual(lite);
    }, 60_000);
  }

  it('are the embedded store\'s bands at 10 s steps over the night', async () => {
    const [lite, pgBands] = await both(() => caseBandsSteps({ caseRef: REF, from: T0 - 2 * HOUR, to: T0 + 6 * HOUR, width: 4_000 }, f.clock));
    expect(lite.bucket.stepSeconds).toBe(10);
    expect(pgBands).toEqual(lite);
  }, 60_000);

  it('give each event the embedded store\'s spectrum: ended, open, an incident mark, a monitor without bands', async () => {
    for (const [device, eventId] of [['mon-1', built.bass], ['mon-1', built.open], ['mon-1', built.press], ['mon-2', built.plainEvent]] as const) {
      const [lite, pgSpectrum] = await both(() => eventSpectrumSteps(REF, device, eventId, f.clock));
      expect(pgSpectrum, eventId).toEqual(lite);
      if (device === 'mon-1') expect(lite.event.levels.some((v) => v !== null), eventId).toBe(true);
    }
  }, 60_000);
});

describe('refusals on PostgreSQL', () => {
  it('names an unknown case, an unknown event and a bad period with the embedded store\'s codes', async () => {
    const record = postgresRecord(pool);
    const cases: [string, () => Steps<unknown>][] = [
      ['EARSHOT_E_CASE_NOT_FOUND', () => timelineSteps({ caseRef: 'ASB-2026-9999', from: T0, to: T0 + HOUR, width: 60 }, f.clock)],
      ['EARSHOT_E_CASE_NOT_FOUND', () => caseBandsSteps({ caseRef: 'ASB-2026-9999', from: T0, to: T0 + HOUR, width: 60 }, f.clock)],
      ['EARSHOT_E_CASE_NOT_FOUND', () => eventSpectrumSteps('ASB-2026-9999', 'mon-1', built.bass, f.clock)],
      ['EARSHOT_E_HTTP_NOT_FOUND', () => eventSpectrumSteps(REF, 'mon-3', `mon-3-${T0 + 10 * MIN}-loud`, f.clock)],
      ['EARSHOT_E_HTTP_PERIOD_INVALID', () => timelineSteps({ caseRef: REF, from: T0 + HOUR, to: T0, width: 60 }, f.clock)],
      ['EARSHOT_E_HTTP_PERIOD_INVALID', () => caseBandsSteps({ caseRef: REF, from: T0, to: T0 + HOUR, width: 5_000 }, f.clock)],
    ];
    for (const [code, steps] of cases) {
      expect(await codeOfAsync(Promise.resolve().then(() => readNow(f.ingest.db, steps())))).toBe(code);
      expect(await codeOfAsync(record.read(steps()))).toBe(code);
    }
  }, 60_000);
});
