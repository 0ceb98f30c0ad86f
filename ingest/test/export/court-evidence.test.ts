/**
 * Issue 10, the schedule's evidence stated right: an event still open at the end
 * of the period, button presses, clock flags per record, every exhibit covering
 * each event, the monitor's own gap records, events grouped by night, plain
 * names in the PDF and a diary corroboration over the time the resident gave.
 * Real pipeline, real SQLite, real ZIP; pdftotext reads the PDF.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/index.ts';
import { parseCsv } from '../../src/cases/csv.ts';
import { addDiaryEntry, openCase, startDeployment } from '../../src/cases/index.ts';
import { buildBundleSource, exportCaseBundle, parsePeriod, logEvidence } from '../../src/export/index.ts';
import { openSnapshot } from '../../src/export/snapshot.ts';
import { createTimelineService } from '../../src/timeline/index.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import { sectionPages } from '../bundle/pdf-text.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

const MIN = 60_000;
/** Monday 2 November 2026, midday (GMT, so UK time = UTC). */
const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const A = 'ASB-2026-0201';
const iso = (ms: number): string => new Date(ms).toISOString();
/** UK (= UTC in November) clock time on the night of Mon 2 Nov: at(23, 10) is 23:10 Monday, at(0, 50) 00:50 Tuesday. */
const at = (h: number, m: number, s = 0): number => T0 + ((h < 12 ? h + 24 : h) - 12) * HOUR + m * MIN + s * 1000;
const PERIOD = { from: iso(T0), to: iso(T0 + DAY) };

const EVENTS_HEADER = ['event_id', 'device', 'kind', 'rule_id', 'state', 'start_utc', 'start_london', 'end_utc', 'end_london', 'duration_s', 'LAeq', 'LAFmax', 'threshold_db', 'over_by_db', 'clock_flag', 'exhibits'];

let f: ExportFixture;
beforeEach(() => {
  f = makeExportFixture(T0);
});
afterEach(() => f.close());

function table(bytes: Buffer | undefined): Record<string, string>[] {
  const r = parseCsv(bytes!.toString('utf8'));
  if (!r.ok) throw new Error(r.problem);
  const [head, ...rows] = r.records.map((x) => x.fields);
  return rows.map((row) => Object.fromEntries(head!.map((h, i) => [h, row[i] ?? ''])));
}

/** The text in content-stream order (pdftotext -raw), so a wrapped table cell reads as one run. */
function pdfText(pdf: Buffer): string {
  const file = join(f.temp(), 'bundle.pdf');
  writeFileSync(file, pdf);
  return spawnSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).stdout;
}

/** The schedule section's text: from its heading to the next section's (sections follow on where they fit). */
function scheduleOf(text: string): string {
  const pagesOf = sectionPages(text.split('\f'), 'Schedule of events');
  expect(pagesOf.length).toBeGreaterThan(0);
  return pagesOf.join('\n');
}

/** One monitor on the night of Mon 2 Nov 2026, with everything issue 10 saw stated wrongly. */
async function night() {
  f.clock = T0 - DAY;
  openCase(f.ingest.cases, { ref: A, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
  const dev = f.device('mon-1');
  startDeployment(f.ingest.cases, { caseRef: A, deviceId: 'mon-1', installedAt: iso(at(13, 0)), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
  dev.heartbeat(at(13, 0), { synced: true, offsetMs: 12 });
  const day = await dev.event({ startMs: at(14, 0), seconds: 30, laeq: 60, ruleId: 'over-background', ruleType: 'background-relative', threshold: 45, tone: 0, clip: false });
  dev.levels(at(22, 50), 4800, 41); // to 00:10
  const e1 = await dev.event({ startMs: at(23, 10), seconds: 120, laeq: 45, tone: 440, clipSeconds: 90 }); // JS/1: 23:10:00–23:11:30
  const e2 = await dev.event({ startMs: at(23, 10, 30), seconds: 2, laeq: 62, ruleId: 'impulsive', ruleType: 'impulsive', threshold: 70, tone: 0, clip: false });
  const e3 = await dev.event({ startMs: at(23, 10, 50), seconds: 5, laeq: 60, ruleId: 'impulsive', ruleType: 'impulsive', threshold: 70, tone: 880, clipSeconds: 30 }); // JS/2: 23:10:50–23:11:20
  const press = dev.incident(at(23, 11, 25));
  dev.heartbeat(at(23, 20), { synced: false, offsetMs: null });
  const e5 = await dev.event({ startMs: at(23, 25), seconds: 60, laeq: 44, ruleId: 'over-background', ruleType: 'background-relative', threshold: 40, tone: 0, clip: false });
  dev.heartbeat(at(0, 30), { synced: true, offsetMs: -15 });
  const gap = dev.gap({ fromMs: at(0, 10), toMs: at(0, 40) });
  dev.levels(at(0, 40), 600, 41);
  dev.levels(at(0, 50), 600, 50);
  const open = dev.started({ startMs: at(0, 50), level: 50 });
  addDiaryEntry(f.ingest.cases, A, { startedAt: iso(at(23, 9)), endedAt: iso(at(23, 14)), heard: 'Music and banging through the wall' });
  f.clock = T0 + 3 * DAY;
  return { day, e1, e2, e3, press, e5, gap, open };
}

describe('the schedule of events states each event as the record has it', () => {
  it('writes events.csv with the DESIGN §6 columns: ongoing, instant, clock flags and every covering exhibit', async () => {
    const ev = await night();
    const bundle = await exportCaseBundle(f.ingest, A, PERIOD, { outDir: f.temp() });
    const zip = new Map((await readZipEntries(bundle.path)).map((e) => [e.name, e.bytes]));
    const head = parseCsv(zip.get('data/events.csv')!.toString('utf8'));
    expect(head.ok && head.records[0]!.fields.slice(0, EVENTS_HEADER.length)).toEqual(EVENTS_HEADER);
    const rows = new Map(table(zip.get('data/events.csv')).map((r) => [r.event_id, r]));
    expect(rows.size).toBe(7);

    // Item 1: still open at the end of the period — no end, its levels so far from the 1 s records (00:50–01:00 at 50 dB).
    expect(rows.get(ev.open)).toMatchObject({ kind: 'event', rule_id: 'noise-act-night', state: 'ongoing', start_utc: iso(at(0, 50)), end_utc: '', end_london: '', LAeq: '50', LAFmax: '56', threshold_db: '34', over_by_db: '16', exhibits: '' });
    expect(rows.get(ev.open)!.duration_s).toBe(String((T0 + DAY - at(0, 50)) / 1000));
    // A button press is an instant; it has no rule.
    expect(rows.get(ev.press)).toMatchObject({ kind: 'incident', rule_id: '', state: 'instant', start_utc: iso(at(23, 11, 25)), duration_s: '0' });
    expect(rows.get(ev.e1.eventId)).toMatchObject({ state: 'ended', end_utc: iso(at(23, 12)), end_london: '2026-11-02T23:12:00+00:00', duration_s: '120', LAeq: '45', LAFmax: '57', threshold_db: '34', over_by_db: '11', clock_flag: '' });
    // Impulsive: judged on LAFmax.
    expect(rows.get(ev.e3.eventId)).toMatchObject({ LAFmax: '72', threshold_db: '70', over_by_db: '2' });

    // Item 5: every exhibit whose audio covers the event, not only the first; the button press inside JS/1 shows it.
    expect(rows.get(ev.e1.eventId)!.exhibits).toBe('JS/1 JS/2');
    expect(rows.get(ev.e2.eventId)!.exhibits).toBe('JS/1');
    expect(rows.get(ev.e3.eventId)!.exhibits).toBe('JS/1 JS/2');
    expect(rows.get(ev.press)!.exhibits).toBe('JS/1');
    expect(rows.get(ev.day.eventId)!.exhibits).toBe('');

    // Item 4: the clock as the device's heartbeats had it — unsynchronised from 23:20 to 00:30.
    expect(rows.get(ev.e5.eventId)!.clock_flag).toBe('unsynchronised');
    expect([...rows.values()].filter((r) => r.clock_flag !== '').map((r) => r.event_id)).toEqual([ev.e5.eventId]);
    const levels = table(zip.get('data/levels.csv'));
    expect(levels).toHaveLength(6000);
    for (const r of levels) {
      const t = Date.parse(r.time_utc!);
      expect(r.clock_flag, r.time_utc).toBe(t >= at(23, 20) && t < at(0, 30) ? 'unsynchronised' : '');
    }
    expect(levels.filter((r) => r.clock_flag === 'unsynchronised')).toHaveLength(3000);
    // The diary entry with the end the resident gave, measured over it.
    expect(table(zip.get('data/diary.csv'))[0]).toMatchObject({ at_utc: iso(at(23, 9)), end_utc: iso(at(23, 14)), measured_from_utc: iso(at(23, 9)), measured_to_utc: iso(at(23, 14)), LAeq: '41' });

    expect((await verifyBundle(bundle.path)).failures).toEqual([]);
  });

  it('prints the schedule by night with plain names, the flags explained, the gap, and the ongoing event as ongoing', async () => {
    const ev = await night();
    const bundle = await exportCaseBundle(f.ingest, A, PERIOD, { outDir: f.temp() });
    const zip = new Map((await readZipEntries(bundle.path)).map((e) => [e.name, e.bytes]));
    const text = pdfText(zip.get('bundle.pdf')!);
    const schedule = scheduleOf(text);
    const flat = schedule.replace(/\s+/g, ' ');
    // Daytime events under their day, then the night, in time order.
    const dayAt = flat.indexOf('Mon 2 Nov 2026, daytime');
    const nightAt = flat.indexOf('Night of Mon 2 Nov 2026');
    expect(dayAt).toBeGreaterThan(-1);
    expect(nightAt).toBeGreaterThan(dayAt);
    expect(flat).toContain('No data: monitor storage full 00:10–00:40');
    expect(flat).toContain('ongoing at the end of the period');
    expect(flat).toContain('Incident button pressed by the resident');
    expect(schedule).not.toContain('incident-button');
    expect(schedule).not.toMatch(/\b0s\b/);
    // The clock flag is marked on its row and explained under the table.
    expect(flat).toMatch(/23:25:00.*clock unsynchronised/);
    expect(flat).toContain('Clock flag:');
    // Every exhibit covering the press is on its row.
    expect(flat).toMatch(/23:11:25 .*Incident button pressed by the resident JS\/1/);
    void ev;
  });

  it('takes the gap records into the model, the coverage and the evidence leaves', async () => {
    const ev = await night();
    const snap = openSnapshot(f.ingest.dir.database);
    try {
      const head = f.ingest.log.signTreeHead();
      const { model } = await buildBundleSource(snap.db, logEvidence(f.ingest.log, head), A, parsePeriod(PERIOD.from, PERIOD.to), { clipsDir: f.ingest.dir.clips, serviceRules: [], includeComplainant: false, nowMs: f.clock });
      expect(model.gaps).toEqual([{ id: ev.gap, deviceId: 'mon-1', what: 'levels', from: iso(at(0, 10)), to: iso(at(0, 40)), reason: 'storage-full', detail: null, clockFlag: null }]);
      expect(model.deployments[0]!.coverage.monitoredSeconds).toBe(6000);
      expect(model.deployments[0]!.coverage.gaps).toContainEqual({ from: iso(at(0, 10)), to: iso(at(0, 40)) });
      const leaf = f.ingest.db.prepare<[string], { i: number }>("SELECT leaf_index AS i FROM events WHERE kind = 'gap' AND event_id = ?").get(ev.gap)!.i;
      expect(model.evidence.leaves.map((l) => l.leafIndex)).toContain(leaf);
      // Diary: the level over the time the resident gave (23:09–23:14), and a summary of the events near it.
      expect(model.diary[0]!.measured).toMatchObject([{ deviceId: 'mon-1', window: { from: iso(at(23, 9)), to: iso(at(23, 14)) }, LAeq: 41, LAFmax: 47 }]);
    } finally {
      snap.close();
    }
  });

  it('summarises the events near a diary entry instead of listing them', async () => {
    await night();
    const bundle = await exportCaseBundle(f.ingest, A, PERIOD, { outDir: f.temp() });
    const zip = new Map((await readZipEntries(bundle.path)).map((e) => [e.name, e.bytes]));
    const flat = pdfText(zip.get('bundle.pdf')!).replace(/\s+/g, ' ');
    expect(flat).toContain('23:09–23:14: LAeq 41.0');
    expect(flat).toMatch(/4 events \(3 by the rules, 1 button press\); loudest LAFmax 74\.0 dB at 23:10:30 \(JS\/1\)\./);
  });

  it('says plainly when no monitor was deployed, in the schedule too', async () => {
    openCase(f.ingest.cases, { ref: A, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    const bundle = await exportCaseBundle(f.ingest, A, PERIOD, { outDir: f.temp() });
    const zip = new Map((await readZipEntries(bundle.path)).map((e) => [e.name, e.bytes]));
    const text = pdfText(zip.get('bundle.pdf')!);
    expect(scheduleOf(text).replace(/\s+/g, ' ')).toContain('No monitor was deployed for this case in this period, so no events could be recorded.');
    expect(text).not.toContain('No automatic rules were active');
  });
});

describe('the officer timeline shows the gap records', () => {
  it('returns each gap record of the case in the period, with its reason', async () => {
    const ev = await night();
    const tl = createTimelineService(f.ingest.db, () => f.clock).build({ caseRef: A, from: T0, to: T0 + DAY, width: 500 });
    expect(tl.gaps).toEqual([{ id: ev.gap, deviceId: 'mon-1', what: 'levels', from: iso(at(0, 10)), to: iso(at(0, 40)), reason: 'storage-full', detail: null, clockFlag: null, leafIndex: expect.any(Number) }]);
    // Gap records are not events.
    expect(tl.events.map((e) => e.eventId)).not.toContain(ev.gap);
  });
});
