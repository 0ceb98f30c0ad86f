/**
 * Court bundle export (issue 5: "a case with 30 days of 1 s levels and 500
 * events exports in < 10 s"), on the real path: a data folder (openIngest) with
 * one case, one deployment of one device for 30 days, its 2 592 000 1 s level
 * records (written through the store's writer in day-sized transactions, so the
 * rollup triggers run as in service), 500 events and 5 clips (signed messages
 * through the message pipeline, so they are attached and logged), then
 * `exportCaseBundle` timed end to end: the database snapshot, the queries, a
 * fresh signed tree head, the PDF, the streamed levels.csv, the ZIP. Prints the
 * seconds and the ZIP size, then the time `earshot verify` takes on it.
 * Run: npx tsx bench/bundle-export.ts
 */
import type { LevelRecord } from '@earshot/shared';
import { verifyBundle } from '../ingest/src/bundle/index.ts';
import { endDeployment, openCase, startDeployment } from '../ingest/src/cases/index.ts';
import { exportCaseBundle } from '../ingest/src/export/index.ts';
import { createLevelsWriter } from '../ingest/src/store/levels.ts';
import { makeExportFixture } from '../ingest/test/export/fixture.ts';

const DAYS = 30;
const EVENTS = 500;
const CLIPS = 5;
/** Issue 5. */
const BAR_SECONDS = 10;
const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-10-01T12:00:00.000Z');
const END = T0 + DAYS * DAY_MS;
const REF = 'ASB-2026-0042';
const DEVICE = 'bench-mon-1';

/** A quiet flat with a daily swing, and loud music late on some evenings. */
function level(t: number, i: number): number {
  const hour = ((t - T0) / 3_600_000 + 12) % 24;
  const base = 32 + 8 * Math.sin((hour / 24) * 2 * Math.PI);
  const party = hour > 22 && Math.floor((t - T0) / DAY_MS) % 3 === 0 ? 25 : 0;
  return Math.round((base + party + ((i * 7919) % 60) / 10) * 100) / 100;
}

const f = makeExportFixture(T0 - DAY_MS);
try {
  const { ingest } = f;
  openCase(ingest.cases, { ref: REF, category: 'general', officer: 'Jo Smith', address: '14 Elm Court, Flat 3, Leeds LS6 2AB' });
  const dev = f.device(DEVICE);
  const dep = startDeployment(ingest.cases, { caseRef: REF, deviceId: DEVICE, installedAt: new Date(T0).toISOString(), installedBy: 'Sam Patel', calibration: { readingDb: 94.02, fullScaleDb: 120 } });

  const f0 = performance.now();
  const writer = createLevelsWriter(ingest.db);
  const fillDay = ingest.db.transaction((start: number) => {
    const records: LevelRecord[] = [];
    for (let i = 0; i < 86_400; i++) {
      const t = start + i * 1000;
      const l = level(t, i);
      records.push({ t: new Date(t).toISOString(), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 12, LAFmax: l + 6, LAFmin: l - 4, LASmax: l + 3, LCpeak: l + 30 });
    }
    writer.write(DEVICE, start / 1000, { fullScaleDb: 120, records });
  });
  for (let t = T0; t < END; t += DAY_MS) fillDay(t);
  for (let t = T0; t < END; t += 600_000) dev.heartbeat(t, { synced: true, offsetMs: 8 });
  // 500 events over the nights from 23:00 UK time, the first few with a clip.
  const perNight = Math.ceil(EVENTS / DAYS);
  for (let i = 0; i < EVENTS; i++) {
    const startMs = T0 + Math.floor(i / perNight) * DAY_MS + 11 * 3_600_000 + (i % perNight) * 20 * 60_000;
    await dev.event({ startMs, seconds: 60 + (i % 5) * 60, laeq: 45 + (i % 7), tone: 300 + i, clip: i < CLIPS });
  }
  endDeployment(ingest.cases, { deploymentId: dep.id, removedAt: new Date(END).toISOString(), removedBy: 'Sam Patel', calibration: { readingDb: 93.91, fullScaleDb: 120 } });
  f.clock = END + 3_600_000;
  const fillS = (performance.now() - f0) / 1000;

  const t0 = performance.now();
  const bundle = await exportCaseBundle(ingest, REF, { from: new Date(T0).toISOString(), to: new Date(END).toISOString() }, { outDir: f.temp() });
  const seconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const report = await verifyBundle(bundle.path);
  const verifySeconds = (performance.now() - t1) / 1000;
  if (!report.ok) throw new Error(`the bundle does not verify: ${JSON.stringify(report.failures)}`);

  const mb = (n: number): string => (n / 1e6).toFixed(1);
  console.log(`bundle export: ${DAYS} days of 1 s levels (${(DAYS * 86_400).toLocaleString('en-GB')} rows), ${EVENTS} events, ${CLIPS} clips in a data folder (filled in ${fillS.toFixed(1)} s)`);
  console.log(`  ${seconds.toFixed(2)} s from the database to ${bundle.fileName}, ${mb(bundle.bytes)} MB (bar: < ${BAR_SECONDS} s) ${seconds < BAR_SECONDS ? 'OK' : 'TOO SLOW'}`);
  console.log(`  ${verifySeconds.toFixed(2)} s to verify it (manifest, ${report.provedLeaves} inclusion proofs, tree head signature)`);
} finally {
  f.close();
}
