/**
 * The golden bundle (issue 10 "Done means"): a synthetic case spanning a full
 * night with two monitors, an ongoing event, a clock-flagged hour, a button
 * press inside a clip, a calibration change, a rule change and a gap record
 * (golden-case.ts), exported from a real data folder through the real pipeline
 * and verified; then every CSV (events, levels, nights, diary) field by field
 * and the PDF's text (pdftotext) against figures this file works out itself
 * from the levels it sent (levelAt), never from the export's own code.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/index.ts';
import { parseCsv } from '../../src/cases/csv.ts';
import { exportCaseBundle } from '../../src/export/index.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import { sectionPages } from '../bundle/pdf-text.ts';
import { DAY, type ExportFixture, makeExportFixture } from './fixture.ts';
import { CALIBRATIONS, DEVICES, DIARY, type GoldenDevice, type GoldenIds, PERIOD, RECORDED, REF, T0, at, buildGoldenCase, iso, levelAt } from './golden-case.ts';

const END = T0 + DAY;
const NIGHT = { start: at(23, 0), end: at(7, 0) };

let f: ExportFixture;
let ids: GoldenIds;
let zip: Map<string, Buffer>;
let bundlePath: string;
let text: string;

beforeAll(async () => {
  f = makeExportFixture(T0);
  ids = await buildGoldenCase(f);
  const out = f.temp();
  const bundle = await exportCaseBundle(f.ingest, REF, PERIOD, { outDir: out });
  bundlePath = bundle.path;
  zip = new Map((await readZipEntries(bundle.path)).map((e) => [e.name, e.bytes]));
  const pdf = join(out, 'bundle.pdf');
  writeFileSync(pdf, zip.get('bundle.pdf')!);
  text = spawnSync('pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8' }).stdout;
}, 120_000);
afterAll(() => f.close());

// ---- The reference: every figure from the levels the monitors sent ----

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const recorded = (d: GoldenDevice, t: number): boolean => RECORDED[d].some(([a, b]) => t >= a && t < b);

function* seconds(d: GoldenDevice, from: number, to: number): Generator<number> {
  for (let t = from; t < to; t += 1000) if (recorded(d, t)) yield t;
}

/** Energy mean of the 1 s LAeq (to 0.01 dB), highest LAFmax, and the LAeq value reached by 10 % of the seconds from below. */
function windowStats(d: GoldenDevice, from: number, to: number): { LAeq: number; LAFmax: number; LA90: number } | null {
  const la: number[] = [];
  let max = -Infinity;
  for (const t of seconds(d, from, to)) {
    const l = levelAt(d, t);
    la.push(l.LAeq);
    max = Math.max(max, l.LAFmax);
  }
  if (la.length === 0) return null;
  const energy = la.reduce((s, l) => s + 10 ** (l / 10), 0) / la.length;
  const sorted = [...la].sort((a, b) => a - b);
  return { LAeq: r2(10 * Math.log10(energy)), LAFmax: max, LA90: sorted[Math.ceil(0.1 * sorted.length) - 1]! };
}

/**
 * The Noise Act night from first principles (Noise Act 1996 ss.2–5; Permitted Level of Noise (England)
 * Directions 2008: 34 dB, or 10 dB over an underlying level above 24 dB): clock-aligned 5-minute LAeq
 * over fully recorded periods, each against the level exceeded 90 % of the time over the 30 minutes
 * up to its end, inside the night.
 */
function noiseAct(d: GoldenDevice): { monitored: number; assessed: number; exceedances: number; worst: number; worstOver: number; lafmax: number } {
  let assessed = 0;
  let exceedances = 0;
  let worst = -Infinity;
  let worstOver = -Infinity;
  for (let s = NIGHT.start; s < NIGHT.end; s += 300_000) {
    const e = s + 300_000;
    const inPeriod = [...seconds(d, s, e)];
    if (inPeriod.length < 300) continue;
    const laeq = r2(10 * Math.log10(inPeriod.reduce((a, t) => a + 10 ** (levelAt(d, t).LAeq / 10), 0) / 300));
    const under = [...seconds(d, Math.max(NIGHT.start, e - 1_800_000), e)].map((t) => r1(levelAt(d, t).LAeq)).sort((a, b) => b - a);
    const u = under[Math.ceil(0.9 * under.length) - 1]!;
    const over = r2(laeq - (u <= 24 ? 34 : u + 10));
    assessed++;
    if (over > 0) exceedances++;
    worst = Math.max(worst, laeq);
    worstOver = Math.max(worstOver, over);
  }
  let monitored = 0;
  let lafmax = -Infinity;
  for (const t of seconds(d, NIGHT.start, NIGHT.end)) {
    monitored++;
    lafmax = Math.max(lafmax, levelAt(d, t).LAFmax);
  }
  return { monitored, assessed, exceedances, worst, worstOver, lafmax };
}

interface Expected {
  readonly id: () => string;
  readonly device: GoldenDevice;
  readonly kind: 'event' | 'incident';
  readonly rule: string;
  readonly ruleName: string;
  readonly ruleType: string;
  readonly state: 'ended' | 'ongoing' | 'instant';
  readonly start: number;
  readonly end: number | null;
  readonly LAeq: number | null;
  readonly LAFmax: number | null;
  readonly threshold: number | null;
  readonly clock: string;
  readonly exhibits: string;
}

/** The events as sent (golden-case.ts); the fixture's ended records carry LAFmax = LAeq + 12 and a background LAF90 of 22 dB. */
function expectedEvents(): Expected[] {
  const ended = (o: Omit<Expected, 'kind' | 'state' | 'LAFmax' | 'clock' | 'exhibits'> & { clock?: string; exhibits?: string }): Expected => ({
    kind: 'event', state: 'ended', clock: '', exhibits: '', ...o, LAFmax: o.LAeq! + 12,
  });
  const open = windowStats('mon-b', at(6, 50), END)!;
  return [
    ended({ id: () => ids.a.noiseAct, device: 'mon-a', rule: 'noise-act-night', ruleName: 'Noise Act night', ruleType: 'noise-act-night', start: at(23, 30), end: at(23, 32), LAeq: 45, threshold: 40, exhibits: 'JS/1' }),
    { id: () => ids.a.press, device: 'mon-a', kind: 'incident', rule: '', ruleName: 'Incident button pressed by the resident', ruleType: '', state: 'instant', start: at(23, 31), end: at(23, 31), LAeq: null, LAFmax: null, threshold: null, clock: '', exhibits: 'JS/1' },
    // mon-b's event lies inside mon-a's clip, but that clip is of another room: not its exhibit.
    ended({ id: () => ids.b.overlap, device: 'mon-b', rule: 'over-background', ruleName: 'Noise above the background', ruleType: 'background-relative', start: at(23, 31, 10), end: at(23, 31, 40), LAeq: 32, threshold: 30 }),
    ended({ id: () => ids.b.bass, device: 'mon-b', rule: 'bass', ruleName: 'Low-frequency (bass) noise', ruleType: 'low-frequency', start: at(23, 33), end: at(23, 33, 20), LAeq: 40, threshold: 5, exhibits: 'JS/2' }),
    ended({ id: () => ids.a.imp1, device: 'mon-a', rule: 'impulsive', ruleName: 'Impulsive noise', ruleType: 'impulsive', start: at(1, 0), end: at(1, 0, 2), LAeq: 58, threshold: 65 }),
    ended({ id: () => ids.b.flagged, device: 'mon-b', rule: 'over-background', ruleName: 'Noise above the background', ruleType: 'background-relative', start: at(1, 30), end: at(1, 31), LAeq: 44, threshold: 38, clock: 'unsynchronised' }),
    ended({ id: () => ids.a.imp2, device: 'mon-a', rule: 'impulsive', ruleName: 'Impulsive noise', ruleType: 'impulsive', start: at(4, 0), end: at(4, 0, 2), LAeq: 52, threshold: 60 }),
    { id: () => ids.b.open, device: 'mon-b', kind: 'event', rule: 'noise-act-night', ruleName: 'Noise Act night', ruleType: 'noise-act-night', state: 'ongoing', start: at(6, 50), end: null, LAeq: open.LAeq, LAFmax: open.LAFmax, threshold: 38, clock: '', exhibits: '' },
  ];
}

/** The level each rule judges: LAFmax for impulsive, LCeq − LAeq (6 dB in the fixture's records) for bass, else LAeq. */
function overBy(e: Expected): number | null {
  if (e.threshold === null) return null;
  const level = e.ruleType === 'impulsive' ? e.LAFmax! : e.ruleType === 'low-frequency' ? 6 : e.LAeq!;
  return r2(level - e.threshold);
}

function table(name: string): { header: readonly string[]; rows: Record<string, string>[] } {
  const r = parseCsv(zip.get(name)!.toString('utf8'));
  if (!r.ok) throw new Error(r.problem);
  const [head, ...rows] = r.records.map((x) => x.fields);
  return { header: head!, rows: rows.map((row) => Object.fromEntries(head!.map((h, i) => [h, row[i] ?? '']))) };
}

const num = (v: number | null): string => (v === null ? '' : String(v));
const london = (ms: number): string => `${iso(ms).slice(0, 19)}+00:00`;
const flat = (s: string): string => s.replace(/\s+/g, ' ');

/** The text of the section headed "N. <name>", whatever its number (from its heading to the next section's: sections follow on where they fit). */
function section(name: string): string {
  const pagesOf = sectionPages(text.split('\f'), name);
  expect(pagesOf.length, name).toBeGreaterThan(0);
  return flat(pagesOf.join('\n'));
}

function duration(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

// ---- The bundle ----

describe('the golden bundle', () => {
  it('verifies: manifest, every inclusion proof, the tree head signature, the exhibits', async () => {
    const report = await verifyBundle(bundlePath);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    for (const name of ['bundle.pdf', 'data/levels.csv', 'data/events.csv', 'data/diary.csv', 'data/nights.csv', 'exhibits/JS-1.wav', 'exhibits/JS-2.wav', 'evidence/leaves.jsonl', 'evidence/sth.json', 'MANIFEST.sha256']) {
      expect(zip.has(name), name).toBe(true);
    }
    // Each exhibit is the clip its monitor recorded for the event: JS/1 mon-a's Noise Act clip, JS/2 mon-b's bass clip.
    const sha = (n: string): string => createHash('sha256').update(zip.get(n)!).digest('hex');
    const clips = f.ingest.db.prepare<[], { clip_id: string; sha256: string }>('SELECT clip_id, sha256 FROM clips').all();
    expect(sha('exhibits/JS-1.wav')).toBe(clips.find((c) => c.clip_id === ids.a.clip)!.sha256);
    expect(sha('exhibits/JS-2.wav')).toBe(clips.find((c) => c.clip_id === ids.b.clip)!.sha256);
  });

  it('holds the monitors\' calibration records and every config in force among its evidence leaves', () => {
    const leaves = zip.get('evidence/leaves.jsonl')!.toString('utf8').trim().split('\n').map((l) => (JSON.parse(l) as { leafIndex: number }).leafIndex);
    const calibrations = f.ingest.db.prepare<[], { i: number }>("SELECT leaf_index AS i FROM events WHERE kind = 'calibration'").all().map((r) => r.i);
    const configs = f.ingest.db.prepare<[], { i: number }>('SELECT leaf_index AS i FROM device_config_history').all().map((r) => r.i);
    expect(calibrations).toHaveLength(3);
    expect(configs).toHaveLength(4);
    for (const i of [...calibrations, ...configs]) expect(leaves).toContain(i);
  });

  it('data/events.csv: every event, field by field', () => {
    const { header, rows } = table('data/events.csv');
    expect(header).toEqual(['event_id', 'device', 'kind', 'rule_id', 'state', 'start_utc', 'start_london', 'end_utc', 'end_london', 'duration_s', 'LAeq', 'LAFmax', 'threshold_db', 'over_by_db', 'clock_flag', 'exhibits', 'LAF90', 'permitted_db', 'exceedance_db']);
    const want = expectedEvents();
    expect(rows).toHaveLength(want.length);
    rows.forEach((row, i) => {
      const e = want[i]!;
      const noiseAct = e.ruleType === 'noise-act-night';
      expect(row, e.id()).toEqual({
        event_id: e.id(), device: e.device, kind: e.kind, rule_id: e.rule, state: e.state,
        start_utc: iso(e.start), start_london: london(e.start),
        end_utc: e.state === 'ongoing' ? '' : iso(e.end!), end_london: e.state === 'ongoing' ? '' : london(e.end!),
        duration_s: String(((e.end ?? END) - e.start) / 1000),
        LAeq: num(e.LAeq), LAFmax: num(e.LAFmax), threshold_db: num(e.threshold), over_by_db: num(overBy(e)), clock_flag: e.clock, exhibits: e.exhibits,
        LAF90: e.state === 'ended' ? '22' : '', permitted_db: noiseAct ? num(e.threshold) : '', exceedance_db: noiseAct ? num(r2(e.LAeq! - e.threshold!)) : '',
      });
    });
  });

  it('data/levels.csv: every 1 s record of both monitors, field by field, the unsynchronised hour flagged', () => {
    const { header, rows } = table('data/levels.csv');
    expect(header).toEqual(['time_utc', 'time_london', 'duration_s', 'LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak', 'device', 'clock_flag']);
    const expected = new Map<string, Record<string, string>>();
    for (const d of DEVICES) {
      for (const t of seconds(d, T0, END)) {
        const { LAeq, LAFmax } = levelAt(d, t);
        const flagged = d === 'mon-b' && t >= at(1, 0) && t < at(2, 0);
        expected.set(`${d} ${iso(t)}`, {
          time_utc: iso(t), time_london: london(t), duration_s: '1', LAeq: String(LAeq), LCeq: String(LAeq + 8), LZeq: String(LAeq + 10), LAFmax: String(LAFmax),
          LAFmin: String(LAeq - 3), LASmax: String(LAeq + 3), LCpeak: String(LAeq + 25), device: d, clock_flag: flagged ? 'unsynchronised' : '',
        });
      }
    }
    expect(rows).toHaveLength(expected.size);
    expect(expected.size).toBe(61_200);
    const last = new Map<string, string>();
    for (const row of rows) {
      const key = `${row.device} ${row.time_utc}`;
      expect(row, key).toEqual(expected.get(key));
      expected.delete(key);
      // In time order for each monitor.
      expect(row.time_utc! > (last.get(row.device!) ?? ''), key).toBe(true);
      last.set(row.device!, row.time_utc!);
    }
    expect(expected.size).toBe(0);
    expect(rows.filter((r) => r.clock_flag !== '')).toHaveLength(3600);
  });

  it('data/nights.csv: the night once per monitor, field by field', () => {
    const { rows } = table('data/nights.csv');
    const events = expectedEvents();
    expect(rows.map((r) => r.device)).toEqual(['mon-a', 'mon-b']);
    for (const row of rows) {
      const d = row.device as GoldenDevice;
      const n = noiseAct(d);
      const mine = events.filter((e) => e.device === d && e.start >= NIGHT.start && e.start < NIGHT.end);
      const ruled = mine.filter((e) => e.kind === 'event');
      expect(row, d).toEqual({
        night_of: '2026-11-02', monitored_s: String(n.monitored), coverage_pct: String(r1((100 * n.monitored) / 28_800)), events: String(ruled.length),
        noise_act_exceedances: String(n.exceedances), worst_5min_LAeq: String(n.worst), worst_over_by_db: String(n.worstOver), LAFmax_max: String(n.lafmax),
        // WHO night guideline: LAFmax above 45 dB.
        events_LAFmax_over_45: String(ruled.filter((e) => e.LAFmax! > 45).length), diary_entries: String(DIARY.length),
        device: d, night_start_utc: iso(NIGHT.start), night_end_utc: iso(NIGHT.end), night_s: '28800', periods_assessed: String(n.assessed),
        incidents: String(mine.length - ruled.length), permitted_level_db: '34', underlying_limit_db: '24', excess_db: '10',
      });
    }
    // The figures that matter, stated: mon-a's 48 dB before 23:00 counts nowhere; its gap leaves 92 periods.
    expect(noiseAct('mon-a')).toMatchObject({ monitored: 27_600, assessed: 92, exceedances: 1, lafmax: 70 });
    expect(noiseAct('mon-b')).toMatchObject({ monitored: 28_800, assessed: 96, exceedances: 2, worst: 50, worstOver: 12 });
  });

  it('data/diary.csv: each entry measured by each monitor separately, named', () => {
    const { header, rows } = table('data/diary.csv');
    expect(header).toEqual([
      'entry_id', 'at_utc', 'at_london', 'text', 'measured_from_utc', 'measured_to_utc', 'LAeq', 'LAFmax', 'LA90_of_1s_LAeq', 'end_utc', 'end_london', 'device',
      'source', 'written_utc', 'received_utc', 'delayed', 'phone_recording_exhibit',
    ]);
    const want = DIARY.flatMap((e) => {
      const a = Date.parse(e.startedAt);
      const end = 'endedAt' in e ? Date.parse(e.endedAt) : null;
      const w = end === null ? { from: a - 300_000, to: a + 300_000 } : { from: a, to: end };
      return DEVICES.map((d) => {
        const m = windowStats(d, w.from, w.to)!;
        return {
          at_utc: e.startedAt, at_london: london(a), text: e.heard, measured_from_utc: iso(w.from), measured_to_utc: iso(w.to),
          LAeq: String(m.LAeq), LAFmax: String(m.LAFmax), LA90_of_1s_LAeq: String(m.LA90), end_utc: end === null ? '' : iso(end), end_london: end === null ? '' : london(end), device: d,
          // Entered by the officer (the resident's phone entries say resident, with the time written).
          source: 'officer', written_utc: '', delayed: '', phone_recording_exhibit: '',
        };
      });
    });
    expect(rows.map(({ entry_id: _id, received_utc: _received, ...r }) => r)).toEqual(want);
    for (const r of rows) expect(r.received_utc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Two rows per entry, one per monitor, with the entry's own id.
    expect(rows[0]!.entry_id).toBe(rows[1]!.entry_id);
    expect(rows[2]!.entry_id).toBe(rows[3]!.entry_id);
    expect(rows[0]!.entry_id).not.toBe(rows[2]!.entry_id);
  });
});

describe('the golden bundle\'s PDF', () => {
  it('starts with the nights summary: each monitor\'s night, as worked out here', () => {
    const s = section('Nights summary');
    const events = expectedEvents();
    for (const d of DEVICES) {
      const n = noiseAct(d);
      const ruled = events.filter((e) => e.device === d && e.kind === 'event');
      const presses = events.filter((e) => e.device === d && e.kind === 'incident').length;
      expect(s).toContain(`Mon, 2 Nov 2026 ${d} ${duration(n.monitored)} (${((100 * n.monitored) / 28_800).toFixed(1)} %)`);
      expect(s).toContain(`${n.exceedances} of ${n.assessed} ${n.worst.toFixed(1)} dB (${n.worstOver.toFixed(1)} dB over) ${n.lafmax.toFixed(1)} dB ${ruled.filter((e) => e.LAFmax! > 45).length} ${DIARY.length}`);
      const byRule = new Map<string, number>();
      for (const e of ruled) byRule.set(e.ruleName, (byRule.get(e.ruleName) ?? 0) + 1);
      for (const [name, count] of byRule) expect(s, `${d} ${name}`).toMatch(new RegExp(`${name.replace(/[()]/g, '\\$&').replace(/ /g, '\\s+')}: ${count}`));
      if (presses > 0) expect(s).toContain(`Button presses: ${presses}`);
    }
  });

  it('states each monitor\'s calibration from its own signed records, the change at 07:00, and the equipment', () => {
    const s = section('Equipment and deployment record');
    const leaf = (d: GoldenDevice, ms: number): number => f.ingest.db.prepare<[string], { i: number }>("SELECT leaf_index AS i FROM events WHERE kind = 'calibration' AND event_id = ?").get(`${d}-${ms}-calibration`)!.i;
    for (const d of DEVICES) {
      for (const c of CALIBRATIONS[d]) {
        expect(s).toContain(`${iso(c.atMs).slice(0, 16).replace('T', ' ')}: the 94.0 dB calibrator read ${c.measuredDb.toFixed(2)} dB at the calibration then in force (${c.previousFullScaleDb.toFixed(2)} dB); the monitor measured with a full-scale calibration of ${c.fullScaleDb.toFixed(2)} dB from then on. Tone 1000 Hz, steady within 0.04 dB over 6 s. Calibrator: Cirrus CR:515 serial 12345. Signed by the monitor; evidence-log entry ${leaf(d, c.atMs)}.`);
      }
    }
    expect(s).toMatch(/Calibration at install 2026-11-02 12:30: .*Recalibrated 2026-11-03 07:00: /);
    expect(s).toContain('2026-11-02 22:50 2026-11-03 07:00 119.50 dB level records 2026-11-03 07:00 2026-11-03 08:00 119.20 dB level records');
    expect(s).toContain('The monitor was recalibrated during the deployment (2026-11-03 07:00): from 119.50 to 119.20 dB from 2026-11-03 07:00.');
    expect(s).toContain('2026-11-02 22:50 2026-11-03 07:00 120.00 dB level records');
    // What the installer recorded of mon-a; nothing of mon-b, said plainly.
    expect(s).toContain('Monitor Earshot Pi 4 serial ES-0012');
    expect(s).toContain('Microphone TDK ICS-43434; class 1; datasheet tolerance ±1.0 dB.');
    expect(s).toContain('Calibrator Cirrus CR:515 serial 12345; IEC 60942 class 1; certificate UKAS-1234; last laboratory calibration 2026-01-15.');
    expect(s).toContain('Position Bedroom; 1.20 m above the floor; 1.50 m from the party wall; windows closed. Input');
    expect(s).toContain('Microphone Not stated at installation; datasheet tolerance not stated.');
    expect(s).not.toContain('.;');
    // GUM: rectangular components a/√3, root sum of squares, k = 2.
    const u = (halfWidths: number[]): number => Math.sqrt(halfWidths.reduce((t, a) => t + (a / Math.sqrt(3)) ** 2, 0));
    expect(s).toContain(`root sum of squares, ${u([0.4, 1, 0.2, 1]).toFixed(2)} dB; the expanded uncertainty with coverage factor k = 2 (about 95 % confidence) is ±${(2 * u([0.4, 1, 0.2, 1])).toFixed(1)} dB`);
    // The clock: mon-b unsynchronised from 01:00 to 02:00.
    expect(s).toContain('Not known to be right to within 2 s for 1 h 00 min (unsynchronised, not checked, or off by more than 2 s)');
  });

  it('gives the rules in force at each time: the impulsive threshold before and after the change', () => {
    // A device id broken over a line ("mon-" / "b") reads whole.
    const s = section('Method in plain English').replace(/- /g, '-');
    expect(s).toContain('Impulsive noise Any LAFmax at or above 65 dB within a second (door slams, shouting). At any time of day. (line at 65.0 dB on the charts while in force) In force: mon-a from 2026-11-02 13:00 to 2026-11-03 02:05; mon-b from 2026-11-02 13:00 to 2026-11-03 02:00 (sent; not confirmed by the monitor). CHANGED:');
    expect(s).toContain('Any LAFmax at or above 60 dB within a second (door slams, shouting). At any time of day. (line at 60.0 dB on the charts while in force) In force: mon-a from 2026-11-03 02:05 to 2026-11-03 12:00; mon-b from 2026-11-03 02:00 to 2026-11-03 12:00 (sent; not confirmed by the monitor). CHANGED:');
    // The Noise Act rule draws no fixed line: the charts show the permitted level each event was judged against.
    expect(s).not.toContain('line at 34.0 dB');
    expect(s).toContain('earshot-device analyze exhibits/JS-1.wav --full-scale-db 120.00');
  });

  it('schedules every event by night with its exhibits, its clock flag, the gap and the ongoing event', () => {
    const s = section('Schedule of events');
    expect(s).toContain('Night of Mon 2 Nov 2026 (23:00–07:00)');
    const hms = (ms: number): string => iso(ms).slice(11, 19);
    let from = 0;
    expectedEvents().forEach((e, i) => {
      const over = overBy(e);
      const cells = [
        String(i + 1), iso(e.start).slice(0, 10), hms(e.start),
        e.state === 'ongoing' ? 'ongoing' : e.state === 'instant' ? '–' : hms(e.end!),
        e.state === 'instant' ? 'instant' : e.state === 'ongoing' ? `${duration((END - e.start) / 1000)} so far` : duration((e.end! - e.start) / 1000),
        e.LAeq === null ? '–' : e.LAeq.toFixed(1), e.LAFmax === null ? '–' : e.LAFmax.toFixed(1), e.state === 'ended' ? '22.0' : '–',
        e.threshold === null ? '–' : e.threshold.toFixed(1), over === null ? '–' : `${over > 0 ? '+' : ''}${over.toFixed(1)}`,
        e.ruleName, `monitor ${e.device}`, ...(e.clock === '' ? [] : [`(clock ${e.clock})`]), e.exhibits === '' ? '–' : e.exhibits,
      ].join(' ');
      const found = s.indexOf(cells, from);
      expect(found, cells).toBeGreaterThan(-1);
      from = found + cells.length;
    });
    expect(s).toContain('No data: monitor storage full 03:10–03:30 on monitor mon-a');
    expect(s.indexOf('No data: monitor storage full')).toBeGreaterThan(s.indexOf(' 01:30:00 '));
    expect(s.indexOf('No data: monitor storage full')).toBeLessThan(s.indexOf(' 04:00:00 '));
    expect(s).toContain('No. 8 was ongoing at the end of the period');
    expect(s).toContain('Clock flag:');
  });

  it('charts each monitor on its own', () => {
    const s = section('Charts of measured levels');
    for (const d of DEVICES) {
      expect(s).toContain(`Night of Mon 2 Nov 2026: 12:00 Mon 2 Nov to 12:00 Tue 3 Nov, monitor ${d}`);
      expect(s).toContain(`LAeq, ${d} LAFmax, ${d}`);
    }
    expect(s).toContain('Sound level, dB(A)');
    expect(s).toContain('UK time (GMT)');
  });

  it('beside each diary entry, each monitor\'s levels over its time, named', () => {
    const s = section('Diary corroboration');
    const hm = (ms: number): string => iso(ms).slice(11, 16);
    for (const e of DIARY) {
      const a = Date.parse(e.startedAt);
      const w = 'endedAt' in e ? { from: a, to: Date.parse(e.endedAt) } : { from: a - 300_000, to: a + 300_000 };
      const lines = DEVICES.map((d) => {
        const m = windowStats(d, w.from, w.to)!;
        return `monitor ${d}: LAeq ${m.LAeq.toFixed(1)}, LAFmax ${m.LAFmax.toFixed(1)}, background LA90 ${m.LA90.toFixed(1)} dB`;
      });
      expect(s).toContain(`${hm(w.from)}–${hm(w.to)}, each monitor separately (LA90 of the 1 s LAeq values): ${lines.join(' ')}`);
    }
    expect(s).toContain('4 events (3 by the rules, 1 button press); loudest LAFmax 57.0 dB at 23:30:00 on monitor mon-a (JS/1).');
  });

  it('lists the exhibits by file name, and produces each in the witness statement', () => {
    const list = section('Exhibit list');
    expect(list).toContain('JS/1 exhibits/JS-1.wav 2026-11-02 23:30');
    expect(list).toContain('JS/2 exhibits/JS-2.wav 2026-11-02 23:33');
    const w = section('Draft witness statement');
    expect(w).toContain('I produce exhibit JS/1, an audio recording, 2 min 00 s, made by monitor mon-a from 2026-11-02 23:30:00 (UK time)');
    expect(w).toContain('I produce exhibit JS/2, an audio recording, 30 s, made by monitor mon-b from 2026-11-02 23:33:00 (UK time)');
    expect(w).toContain('It records 8 events and 2 diary entries.');
    expect(section('Records certificate')).toContain('monitors mon-a, mon-b');
  });
});
