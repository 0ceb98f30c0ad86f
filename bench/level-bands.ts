/**
 * The 1/3-octave bands in the ingest (issue 16), on the real paths:
 * 1. the levels store's throughput with and without bands: 10-record batches
 *    (a monitor's 10 s message) through the levels writer, 100 to a
 *    transaction as the broker's group commit makes them, into a SQLite file with every
 *    migration — µs per record and records per second, bands off and on (31
 *    bands, a 24 kHz monitor);
 * 2. the court bundle export of BENCH_DAYS (default 30) days of one monitor
 *    with bands and 60 bass events (exportCaseBundle end to end: the
 *    low-frequency section, data/bands.csv streamed), and of a case of the same
 *    length whose monitor sent no bands, which must cost what it did before.
 * Run: node --import tsx bench/level-bands.ts
 */
import type { LevelRecord } from '@earshot/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCase, startDeployment } from '../ingest/src/cases/index.ts';
import { openDatabase } from '../ingest/src/db/open.ts';
import { exportCaseBundle } from '../ingest/src/export/index.ts';
import { bandsCsvFromDb, bandsCsvSource } from '../ingest/src/export/bands-csv.ts';
import { levelsCsvFromDb } from '../ingest/src/export/level-csv.ts';
import { ALL_MIGRATIONS } from '../ingest/src/service/migrations.ts';
import { createLevelsWriter } from '../ingest/src/store/levels.ts';
import { makeExportFixture } from '../ingest/test/export/fixture.ts';

const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-10-01T12:00:00.000Z');
const BANDS = 31;

function record(t: number, i: number, bands: boolean): LevelRecord {
  const l = 30 + ((i * 7919) % 300) / 10;
  const r: LevelRecord = { t: new Date(t).toISOString(), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 12, LAFmax: l + 6, LAFmin: l - 4, LASmax: l + 3, LCpeak: l + 30 };
  if (bands) r.Z3 = { f0: '10', dB10: Array.from({ length: BANDS }, (_, k) => 350 - k * 6 + ((i * 31 + k * 17) % 120)) };
  return r;
}

function storeThroughput(bands: boolean, batches: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-bands-'));
  try {
    const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
    const w = createLevelsWriter(db);
    const bodies = Array.from({ length: batches }, (_, b) => ({ fullScaleDb: 120, records: Array.from({ length: 10 }, (_, k) => record(T0 + (b * 10 + k) * 1000, b * 10 + k, bands)) }));
    // 100 messages a transaction, as the broker's group commit makes them under load (broker/group-commit.ts).
    const write = db.transaction((from: number) => {
      for (let b = from; b < from + 100; b++) w.write('bench-mon', b, bodies[b]!);
    });
    for (let b = 0; b < 200; b += 100) write(b); // warm-up
    const t0 = process.hrtime.bigint();
    for (let b = 200; b < batches; b += 100) write(b);
    const ns = Number(process.hrtime.bigint() - t0);
    db.close();
    return ns / ((batches - 200) * 10) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const off = storeThroughput(false, 10_200);
const on = storeThroughput(true, 10_200);
console.log(`levels store, SQLite, 10-record batches, 100 a transaction: bands off ${off.toFixed(1)} µs/record (${Math.round(1e6 / off)} records/s), bands on ${on.toFixed(1)} µs/record (${Math.round(1e6 / on)} records/s)`);

const f = makeExportFixture(T0 - DAY_MS);
try {
  const { ingest } = f;
  const writer = createLevelsWriter(ingest.db);
  const cases = [['ASB-2026-0161', 'bench-bands', true], ['ASB-2026-0162', 'bench-plain', false]] as const;
  const fill0 = performance.now();
  for (const [ref, device, bands] of cases) {
    openCase(ingest.cases, { ref, category: 'general', officer: 'Jo Smith', address: `${ref} Elm Court, Leeds` });
    const dev = f.device(device);
    startDeployment(ingest.cases, { caseRef: ref, deviceId: device, installedAt: new Date(T0).toISOString(), installedBy: 'Sam Patel' });
    const fillDay = ingest.db.transaction((start: number) => {
      const records: LevelRecord[] = [];
      for (let i = 0; i < 86_400; i++) records.push(record(start + i * 1000, i, bands));
      writer.write(device, start / 1000, { fullScaleDb: 120, records });
    });
    for (let t = T0; t < T0 + DAYS * DAY_MS; t += DAY_MS) fillDay(t);
    // Two bass events a night (and one loud one on the plain monitor).
    for (let d = 0; d < DAYS; d++) {
      for (const h of [11, 13]) {
        const startMs = T0 + d * DAY_MS + h * 3_600_000;
        f.clock = startMs + 600_000;
        await dev.event({ startMs, seconds: 240, laeq: 45, ruleId: bands ? 'bass' : 'loud', ruleType: bands ? 'low-frequency' : 'absolute', threshold: 15, tone: 60, clip: false });
      }
    }
  }
  console.log(`filled ${DAYS} days of two monitors (one with bands) in ${((performance.now() - fill0) / 1000).toFixed(1)} s`);
  f.clock = T0 + DAYS * DAY_MS + 3_600_000;
  // The two files' bytes alone, in the same conditions (a loaded machine moves both alike).
  const span = (deviceId: string) => [{ deviceId, from: T0, to: T0 + DAYS * DAY_MS, deployment: undefined as never }];
  for (const [name, gen] of [['data/levels.csv', () => levelsCsvFromDb(ingest.db, span('bench-bands'))], ['data/bands.csv', () => bandsCsvFromDb(ingest.db, span('bench-bands'))]] as const) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    let bytes = 0;
    for (const c of gen()) bytes += c.length;
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(u0);
    console.log(`${name} of ${DAYS} days, bytes only: ${(ms / 1000).toFixed(2)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s), ${(bytes / 1e6).toFixed(0)} MB, ${((ms * 1e6) / (DAYS * 86_400)).toFixed(0)} ns/row`);
  }
  const c0 = performance.now();
  const none = bandsCsvSource(ingest.db, span('bench-plain'));
  console.log(`bands.csv check for the monitor without bands: ${(performance.now() - c0).toFixed(2)} ms (${none === undefined ? 'no file' : 'a file'})`);
  const period = { from: new Date(T0).toISOString(), to: new Date(T0 + DAYS * DAY_MS).toISOString() };
  // The first export pays for loading fonts and compiling: plain, then with bands, then plain again.
  for (const [ref, , bands] of [cases[1], cases[0], cases[1]]) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    const b = await exportCaseBundle(ingest, ref, period, { outDir: f.temp() });
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(u0);
    console.log(`export of ${DAYS} days, one monitor, ${bands ? 'with bands (bands.csv, low-frequency section)' : 'without bands'}: ${s.toFixed(2)} s (CPU, all threads: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s), ZIP ${(b.bytes / 1e6).toFixed(1)} MB, files ${b.manifest.map((m) => m.path).filter((p) => p.startsWith('data/')).join(' ')}`);
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  f.close();
}
