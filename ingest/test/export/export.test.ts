import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEVELS_HEADER, verifyBundle } from '../../src/bundle/index.ts';
import { parseCsv } from '../../src/cases/csv.ts';
import { addDiaryEntry, endDeployment, openCase, startDeployment } from '../../src/cases/index.ts';
import { decodeLeaf } from '../../src/evidence/index.ts';
import { type CaseBundleExport, buildBundleSource, createBundleExporter, exportCaseBundle, parsePeriod, logEvidence } from '../../src/export/index.ts';
import { initialsOf } from '../../src/export/case-summary.ts';
import { openSnapshot } from '../../src/export/snapshot.ts';
import type { ExportBundle } from '../../src/http/index.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

const MIN = 60_000;
/** Monday 2 November 2026, midday (GMT, so UK time = UTC). */
const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const A = 'ASB-2026-0101';
const B = 'ASB-2026-0102';
const iso = (ms: number): string => new Date(ms).toISOString();
const PERIOD = { from: iso(T0), to: iso(T0 + 2 * DAY) };
const calibration = (readingDb: number) => ({ readingDb, fullScaleDb: 120 });

let f: ExportFixture;
afterEach(() => f.close());

type Zip = Map<string, Buffer>;
async function zipOf(path: string): Promise<Zip> {
  return new Map((await readZipEntries(path)).map((e) => [e.name, e.bytes]));
}

function csvRows(bytes: Buffer | undefined): (readonly string[])[] {
  const r = parseCsv(bytes!.toString('utf8'));
  if (!r.ok) throw new Error(r.problem);
  return r.records.map((x) => x.fields);
}

function pdfText(pdf: Buffer, dir: string): string {
  const file = join(dir, 'bundle.pdf');
  writeFileSync(file, pdf);
  return spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
}

function leafIndexesOf(zip: Zip): number[] {
  return zip.get('evidence/leaves.jsonl')!.toString('utf8').trim().split('\n').map((l) => (JSON.parse(l) as { leafIndex: number }).leafIndex);
}

function leafCases(zip: Zip): (string | null)[] {
  return zip.get('evidence/leaves.jsonl')!.toString('utf8').trim().split('\n').map((l) => {
    const d = decodeLeaf(Buffer.from((JSON.parse(l) as { leaf: string }).leaf, 'base64'));
    if (!d.ok) throw new Error(d.error.detail);
    return d.leaf.caseRef;
  });
}

function dbLeaves(table: 'events' | 'clips', ref: string): number[] {
  return f.ingest.db.prepare<[string], { i: number }>(`SELECT leaf_index AS i FROM ${table} WHERE case_ref = ? ORDER BY 1`).all(ref).map((r) => r.i);
}

/** Two cases, one monitor: case A's deployment the first night, case B's the second, and records between them belonging to neither. */
async function twoCasesOneDevice() {
  f.clock = T0 - DAY;
  openCase(f.ingest.cases, { ref: A, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds', complainant: { name: 'Ann Resident', contact: '07700 900001' } });
  openCase(f.ingest.cases, { ref: B, category: 'general', officer: 'Kim Lee', address: '9 Oak Row, Leeds' });
  const dev = f.device('mon-1');
  // The monitor's own calibrator checks (issue 10), before installation and at removal: drift (93.88 − 119.98) − (94.02 − 120) = −0.12 dB.
  const check = (atMs: number, measuredDb: number, previousFullScaleDb: number): void => void dev.send('event', {
    kind: 'calibration', eventId: `mon-1-${atMs}-calibration`, at: iso(atMs), referenceDb: 94, measuredDb, previousFullScaleDb,
    fullScaleDb: Math.round((previousFullScaleDb + 94 - measuredDb) * 10_000) / 10_000, tone: { frequencyHz: 1000, spreadDb: 0.02, seconds: 5 },
  }, atMs);
  check(T0 + 10 * HOUR - 5 * MIN, 94.02, 120);
  check(T0 + 22 * HOUR - 2 * MIN, 93.88, 119.98);
  const depA = startDeployment(f.ingest.cases, { caseRef: A, deviceId: 'mon-1', installedAt: iso(T0 + 10 * HOUR), installedBy: 'Sam Patel', calibration: calibration(94.02) });
  // Night 1 (case A): 23:00–23:30 and 23:35–23:45, a 5-minute hole between.
  dev.heartbeat(T0 + 11 * HOUR, { synced: true, offsetMs: 12 });
  dev.heartbeat(T0 + 11 * HOUR + 30 * MIN, { synced: false, offsetMs: null });
  dev.heartbeat(T0 + 12 * HOUR, { synced: true, offsetMs: -15 });
  dev.levels(T0 + 11 * HOUR, 1800, 41);
  dev.levels(T0 + 11 * HOUR + 35 * MIN, 600, 41);
  const evA = await dev.event({ startMs: T0 + 11 * HOUR + 10 * MIN, seconds: 120, laeq: 45, tone: 440 });
  const incA = dev.incident(T0 + 11 * HOUR + 20 * MIN);
  addDiaryEntry(f.ingest.cases, A, { startedAt: iso(T0 + 11 * HOUR + 11 * MIN), heard: 'Music thumping, case A night' });
  endDeployment(f.ingest.cases, { deploymentId: depA.id, removedAt: iso(T0 + 22 * HOUR), removedBy: 'Sam Patel', calibration: calibration(93.9) });
  // Between the deployments: the device is in the depot.
  dev.levels(T0 + 23 * HOUR, 300, 60);
  const depB = startDeployment(f.ingest.cases, { caseRef: B, deviceId: 'mon-1', installedAt: iso(T0 + DAY), installedBy: 'Sam Patel', calibration: calibration(94) });
  dev.heartbeat(T0 + 35 * HOUR, { synced: true, offsetMs: 5 });
  dev.levels(T0 + 35 * HOUR, 1200, 52);
  const evB = await dev.event({ startMs: T0 + 35 * HOUR + 10 * MIN, seconds: 60, laeq: 75, ruleId: 'impulsive', ruleType: 'impulsive', threshold: 70, tone: 880 });
  addDiaryEntry(f.ingest.cases, B, { startedAt: iso(T0 + 35 * HOUR + 11 * MIN), heard: 'Shouting, case B night' });
  endDeployment(f.ingest.cases, { deploymentId: depB.id, removedAt: iso(T0 + 46 * HOUR), removedBy: 'Sam Patel', calibration: calibration(94.1) });
  f.clock = T0 + 3 * DAY;
  return { evA, incA, evB, dev };
}

describe('court bundle export from the database', () => {
  beforeEach(() => {
    f = makeExportFixture(T0);
  });

  it('gives each of two cases sharing a device only its own levels, events, exhibits, diary and leaves', async () => {
    const { evA, incA, evB } = await twoCasesOneDevice();
    const out = f.temp();
    const a = await exportCaseBundle(f.ingest, A, { ...PERIOD, includeComplainant: true }, { outDir: out });
    const b = await exportCaseBundle(f.ingest, B, PERIOD, { outDir: out });
    expect(a.fileName).toBe(`${A}_20261102T120000Z_20261104T120000Z.zip`);
    const za = await zipOf(a.path);
    const zb = await zipOf(b.path);
    expect([...za.keys()]).toEqual(['bundle.pdf', 'exhibits/JS-1.wav', 'data/levels.csv', 'data/events.csv', 'data/diary.csv', 'data/nights.csv', 'evidence/leaves.jsonl', 'evidence/proofs.json', 'evidence/sth.json', 'evidence/sth.sig', 'evidence/server-public-key.pem', 'MANIFEST.sha256']);
    expect([...zb.keys()]).toContain('exhibits/KL-1.wav');

    // Levels: case A's 2 400 records of its night, case B's 1 200 of its own; the depot's 300 in neither.
    const levelsA = csvRows(za.get('data/levels.csv'));
    const levelsB = csvRows(zb.get('data/levels.csv'));
    expect(levelsA[0]).toEqual([...LEVELS_HEADER]);
    const laeq = LEVELS_HEADER.indexOf('LAeq');
    expect(levelsA.slice(1)).toHaveLength(2400);
    expect(new Set(levelsA.slice(1).map((r) => r[laeq]))).toEqual(new Set(['41']));
    expect(levelsA.slice(1).every((r) => Date.parse(r[0]!) >= T0 + 10 * HOUR && Date.parse(r[0]!) < T0 + 22 * HOUR)).toBe(true);
    expect(levelsB.slice(1)).toHaveLength(1200);
    expect(new Set(levelsB.slice(1).map((r) => r[laeq]))).toEqual(new Set(['52']));

    // Events, exhibits and diary.
    const eventsA = za.get('data/events.csv')!.toString();
    expect(eventsA).toContain(evA.eventId);
    expect(eventsA).toContain(incA);
    expect(eventsA).not.toContain(evB.eventId);
    expect(zb.get('data/events.csv')!.toString()).not.toContain(evA.eventId);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(za.get('exhibits/JS-1.wav')!).digest('hex')).toBe(evA.sha256);
    expect(createHash('sha256').update(zb.get('exhibits/KL-1.wav')!).digest('hex')).toBe(evB.sha256);
    expect(za.get('data/diary.csv')!.toString()).toContain('case A night');
    expect(za.get('data/diary.csv')!.toString()).not.toContain('case B');
    expect(zb.get('data/diary.csv')!.toString()).not.toContain('case A');

    // Leaves: every one is the case's own; its events and clip manifests are all there, the other case's none.
    // null: the monitor's calibration check made before installation (device evidence, of no case); never another case's.
    expect(new Set(leafCases(za))).toEqual(new Set([A, null]));
    // B's install check is the monitor's check at A's removal, sent before any deployment (so of no case).
    expect(new Set(leafCases(zb))).toEqual(new Set([B, null]));
    const ia = leafIndexesOf(za);
    for (const i of [...dbLeaves('events', A), ...dbLeaves('clips', A)]) expect(ia).toContain(i);
    for (const i of [...dbLeaves('events', B), ...dbLeaves('clips', B)]) expect(ia).not.toContain(i);
    // Shared only: the monitor's calibration check at A's removal, which is also B's install check (of no case).
    const shared = ia.filter((i) => leafIndexesOf(zb).includes(i));
    expect(shared).toHaveLength(1);
    expect(f.ingest.db.prepare<[number], { kind: string; case_ref: string | null }>('SELECT kind, case_ref FROM events WHERE leaf_index = ?').get(shared[0]!)).toEqual({ kind: 'calibration', case_ref: null });

    // No file of either bundle names the other case.
    for (const [name, bytes] of za) if (!name.endsWith('.wav') && !name.endsWith('.pdf')) expect(bytes.toString('utf8'), name).not.toContain(B);
    for (const [name, bytes] of zb) if (!name.endsWith('.wav') && !name.endsWith('.pdf')) expect(bytes.toString('utf8'), name).not.toContain(A);
    const text = pdfText(za.get('bundle.pdf')!, f.temp());
    expect(text).toContain(A);
    expect(text).toContain('Ann Resident');
    expect(text).not.toContain(B);
    expect(text).not.toContain('case B');
    const textB = pdfText(zb.get('bundle.pdf')!, f.temp());
    expect(textB).not.toContain(A);
    expect(textB).toContain('Not named in this bundle');
  });

  it('writes bundles that earshot verify and sha256sum -c both accept', async () => {
    await twoCasesOneDevice();
    const bundle = await exportCaseBundle(f.ingest, A, PERIOD, { outDir: f.temp() });
    const report = await verifyBundle(bundle.path);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.provedLeaves).toBe(leafIndexesOf(await zipOf(bundle.path)).length);
    expect(report.treeHead?.treeSize).toBe(f.ingest.log.size);
    const dir = f.temp();
    expect(spawnSync('unzip', ['-q', bundle.path, '-d', dir]).status).toBe(0);
    const check = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: dir, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(check.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('records coverage with its gaps, clock sync, calibration drift, the permitted level and the diary measurements', async () => {
    const { evA, incA } = await twoCasesOneDevice();
    const snap = openSnapshot(f.ingest.dir.database);
    try {
      const head = f.ingest.log.signTreeHead();
      const { model } = await buildBundleSource(snap.db, logEvidence(f.ingest.log, head), A, parsePeriod(PERIOD.from, PERIOD.to), { clipsDir: f.ingest.dir.clips, serviceRules: [], includeComplainant: false, nowMs: f.clock });
      expect(model.levelCount).toBe(2400);
      expect(model.deployments).toHaveLength(1);
      const d = model.deployments[0]!;
      expect(d.coverage).toEqual({
        monitoredSeconds: 2400,
        periodSeconds: 12 * 3600,
        gaps: [
          { from: iso(T0 + 10 * HOUR), to: iso(T0 + 11 * HOUR) },
          { from: iso(T0 + 11 * HOUR + 30 * MIN), to: iso(T0 + 11 * HOUR + 35 * MIN) },
          { from: iso(T0 + 11 * HOUR + 45 * MIN), to: iso(T0 + 22 * HOUR) },
        ],
      });
      expect(d.clockSync).toEqual({ status: 'degraded', maxOffsetMs: 15, unsyncedSeconds: 1800 });
      expect(d.calibration.driftDb).toBe(-0.12);
      expect(d.calibration.atInstall).toMatchObject({ referenceDb: 94, readingDb: 94.02 });
      const ev = model.events.find((e) => e.id === evA.eventId)!;
      expect(ev).toMatchObject({ ruleId: 'noise-act-night', durationSeconds: 120, LAeq: 45, LAF90: 22, permittedDb: 34, exceedanceDb: 11 });
      expect(model.events.find((e) => e.id === incA)).toMatchObject({ ruleId: 'incident-button', permittedDb: null });
      // The event's rule is listed even though no config was published for the device.
      expect(model.rules.map((r) => r.id)).toEqual(['noise-act-night']);
      expect(model.diary).toHaveLength(1);
      expect(model.diary[0]!.measured).toMatchObject([{ deviceId: 'mon-1', LAeq: 41, LAFmax: 47, LA90: 41 }]);
      // One chart per monitor, titled with what it shows (issue 10 items 6 and 8).
      expect(model.series.map((s) => [s.label, s.deviceId])).toEqual([['Night of Mon 2 Nov 2026: 12:00 Mon 2 Nov to 12:00 Tue 3 Nov, monitor mon-1', 'mon-1']]);
      expect(model.series[0]!.LAeq.every((v) => v === 41)).toBe(true);
    } finally {
      snap.close();
    }
  });

  it('works out coverage from the rollups exactly as from the records, ragged minutes and compacted records included', async () => {
    f.clock = T0;
    openCase(f.ingest.cases, { ref: A, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    const dev = f.device('mon-3');
    const from = T0 + 10 * HOUR + 17_250; // mid-second, mid-minute
    startDeployment(f.ingest.cases, { caseRef: A, deviceId: 'mon-3', installedAt: iso(from), installedBy: 'Sam Patel', calibration: calibration(94) });
    const start = T0 + 10 * HOUR + 30_000;
    dev.levels(start, 630, 40); // to 10:11:00
    dev.levels(start + 700_000, 100, 40); // a 70 s hole across a minute boundary
    dev.levels(start + 900_000, 45, 40); // 10:15:30 – 10:16:15, then 44 s missing, then a compacted 10-minute record
    dev.send('levels', { fullScaleDb: 120, records: [{ t: iso(start + 990_000), d: 600, n: 600, LAeq: 40, LCeq: 48, LZeq: 50, LAFmax: 55, LAFmin: 35, LASmax: 45, LCpeak: 70 }] }, start + 1_600_000);
    dev.levels(start + 1_700_000, 30, 40);
    const to = start + 1_900_000 + 500;
    const rows = f.ingest.db.prepare<[], { t: number; d: number }>('SELECT t, d FROM levels ORDER BY t').all();
    // Brute force: every record clipped to the span, and every hole of a minute or more.
    let cursor = from;
    let monitored = 0;
    const gaps: { from: string; to: string }[] = [];
    for (const r of rows) {
      if (r.t < from || r.t >= to) continue;
      if (r.t - cursor >= 60_000) gaps.push({ from: iso(cursor), to: iso(r.t) });
      const end = Math.min(r.t + r.d * 1000, to);
      monitored += Math.max(0, end - Math.max(r.t, cursor));
      cursor = Math.max(cursor, end);
    }
    if (to - cursor >= 60_000) gaps.push({ from: iso(cursor), to: iso(to) });
    expect(gaps).toHaveLength(4);
    const snap = openSnapshot(f.ingest.dir.database);
    try {
      const head = f.ingest.log.signTreeHead();
      const { model } = await buildBundleSource(snap.db, logEvidence(f.ingest.log, head), A, { from, to }, { clipsDir: f.ingest.dir.clips, serviceRules: [], includeComplainant: false, nowMs: T0 + DAY });
      expect(model.deployments[0]!.coverage).toEqual({ monitoredSeconds: monitored / 1000, periodSeconds: (to - from) / 1000, gaps });
      expect(model.levelCount).toBe(rows.filter((r) => r.t >= from && r.t < to).length);
    } finally {
      snap.close();
    }
  });

  it('defaults the period to the first installation until now, and the exhibit initials to the officer\'s', async () => {
    const { evA } = await twoCasesOneDevice();
    const bundle = await exportCaseBundle(f.ingest, A, {}, { outDir: f.temp() });
    expect(bundle.fileName).toBe(`${A}_20261102T220000Z_20261105T120000Z.zip`);
    expect(bundle.exhibits.map((e) => [e.ref, e.clip.sha256])).toEqual([['JS/1', evA.sha256]]);
    expect(initialsOf('Smith')).toBe('SM');
    expect(initialsOf('Mary Ann de la Cruz')).toBe('MADL');
  });

  it('reads one snapshot: the pipeline keeps storing while the levels stream, and what it stores then is not in the bundle', async () => {
    const { dev } = await twoCasesOneDevice();
    let stored = 0;
    const exporter: CaseBundleExport = createBundleExporter(f.ingest, { outDir: f.temp() });
    const asWeb: ExportBundle = exporter; // the web's export button takes it as is
    const progress: number[] = [];
    const r = await asWeb(A, { ...PERIOD, initials: 'JS', includeComplainant: false }, (fraction, stage) => {
      progress.push(fraction);
      if (stage === 'data/levels.csv' && stored === 0) {
        // Late records for case A's night (08:00, an hour not yet read): stored at once, on the service's connection.
        dev.levels(T0 + 20 * HOUR, 10, 30);
        stored++;
      }
    });
    expect(stored).toBe(1);
    expect(f.ingest.db.prepare('SELECT count(*) AS n FROM levels WHERE laeq = 30').get()).toEqual({ n: 10 });
    const zip = await zipOf(r.file);
    expect(csvRows(zip.get('data/levels.csv')).slice(1)).toHaveLength(2400);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
  });
});

describe('bad requests and empty bundles', () => {
  beforeEach(() => {
    f = makeExportFixture(T0);
  });

  it('refuses an unknown case and an invalid, empty or reversed period with their codes', async () => {
    openCase(f.ingest.cases, { ref: A, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    const out = f.temp();
    await expect(exportCaseBundle(f.ingest, 'ASB-2026-9999', PERIOD, { outDir: out })).rejects.toMatchObject({ code: 'EARSHOT_E_CASE_NOT_FOUND' });
    for (const period of [{ from: 'last tuesday', to: PERIOD.to }, { from: PERIOD.from, to: '2026-11-04' }, { from: PERIOD.to, to: PERIOD.from }, { from: PERIOD.from, to: PERIOD.from }]) {
      await expect(exportCaseBundle(f.ingest, A, period, { outDir: out }), JSON.stringify(period)).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_PERIOD_INVALID' });
    }
    const web = createBundleExporter(f.ingest, { outDir: out });
    await expect(web(A, { from: PERIOD.to, to: PERIOD.from, initials: 'JS', includeComplainant: false }, () => undefined)).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_PERIOD_INVALID' });
  });

  it('exports a case with no deployment as a valid bundle whose PDF says there are no measurements', async () => {
    openCase(f.ingest.cases, { ref: A, category: 'high-risk', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    const bundle = await exportCaseBundle(f.ingest, A, PERIOD, { outDir: f.temp() });
    expect((await verifyBundle(bundle.path)).ok).toBe(true);
    const zip = await zipOf(bundle.path);
    expect(csvRows(zip.get('data/levels.csv'))).toHaveLength(1);
    expect(new Set(leafCases(zip))).toEqual(new Set([A]));
    const text = pdfText(zip.get('bundle.pdf')!, f.temp()).replace(/\s+/g, ' ');
    expect(text).toContain('No monitor was deployed for this case in this period, so there are no measurements in this period.');
    expect(text).toContain('No measurements in this period');
  });

  it('exports a period with no data as a valid bundle whose PDF says there are no measurements', async () => {
    await twoCasesOneDevice();
    // A week later, when the deployment was long over; and the small hours of the deployed night, when the monitor sent nothing.
    for (const [from, to, deployed] of [[T0 + 7 * DAY, T0 + 8 * DAY, false], [T0 + 14 * HOUR, T0 + 20 * HOUR, true]] as const) {
      const bundle = await exportCaseBundle(f.ingest, A, { from: iso(from), to: iso(to) }, { outDir: f.temp() });
      expect((await verifyBundle(bundle.path)).ok).toBe(true);
      const zip = await zipOf(bundle.path);
      expect(csvRows(zip.get('data/levels.csv'))).toHaveLength(1);
      expect([...zip.keys()].some((k) => k.startsWith('exhibits/'))).toBe(false);
      const text = pdfText(zip.get('bundle.pdf')!, f.temp()).replace(/\s+/g, ' ');
      expect(text).toContain('No measurements in this period');
      expect(text).toContain('No diary entries were made for this period.');
      if (deployed) expect(text).toContain('0 s monitored of 6 h 00 min (0.0 %); 1 gap.');
    }
  });
});
