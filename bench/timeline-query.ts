/**
 * Timeline query (issue 5: 30 days of 1 s levels answered in < 300 ms). Fills 30
 * days of 1 s levels for one device (through the store's writer, so the rollup
 * triggers run as in service), deployed on one case, then times the whole 30
 * days at 1000 buckets (per-minute rollup) and one night at full resolution (raw
 * 1 s records). Run: npx tsx bench/timeline-query.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LevelRecord } from '@earshot/shared';
import { casesMigrations, openCase, startDeployment, type CasesContext } from '../ingest/src/cases/index.ts';
import { openDatabase } from '../ingest/src/db/open.ts';
import { createLevelsWriter } from '../ingest/src/store/levels.ts';
import { storeMigrations } from '../ingest/src/store/migrations.ts';
import { createTimelineService, timelineMigrations } from '../ingest/src/timeline/index.ts';

const DAYS = 30;
const T0 = Date.parse('2026-10-01T00:00:00.000Z');
const END = T0 + DAYS * 86_400_000;
const DEVICE = 'bench-mon-1';
const REF = 'ASB-2026-0001';
const BATCH = 3_600;

/** A quiet room with a slow daily swing, noise and an evening of loud music now and then. */
function level(t: number, i: number): number {
  const hour = ((t - T0) / 3_600_000) % 24;
  const base = 32 + 8 * Math.sin((hour / 24) * 2 * Math.PI);
  const party = hour > 22 && Math.floor((t - T0) / 86_400_000) % 5 === 0 ? 25 : 0;
  return Math.round((base + party + ((i * 7919) % 60) / 10) * 100) / 100;
}

const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-timeline-'));
try {
  const db = openDatabase(join(dir, 'earshot.db'), [...storeMigrations, ...casesMigrations, ...timelineMigrations, { name: 'bench-leaves', sql: 'CREATE TABLE bench_leaves (i INTEGER PRIMARY KEY) STRICT' }]);
  let leaves = 0;
  const ctx: CasesContext = { db, now: () => T0, evidence: { append: () => ({ leafIndex: leaves++ }) } };
  openCase(ctx, { ref: REF, category: 'general', officer: 'bench', address: '1 Bench Street' });
  startDeployment(ctx, { caseRef: REF, deviceId: DEVICE, installedAt: new Date(T0).toISOString(), installedBy: 'bench', calibration: { readingDb: 94, fullScaleDb: 120 } });

  const writer = createLevelsWriter(db);
  const fill = db.transaction((start: number) => {
    const records: LevelRecord[] = [];
    for (let i = 0; i < BATCH; i++) {
      const t = start + i * 1000;
      const l = level(t, i);
      records.push({ t: new Date(t).toISOString(), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 12, LAFmax: l + 6, LAFmin: l - 4, LASmax: l + 3, LCpeak: l + 30 });
    }
    writer.write(DEVICE, start / 1000, { fullScaleDb: 120, records });
  });
  const f0 = performance.now();
  for (let t = T0; t < END; t += BATCH * 1000) fill(t);
  const fillS = (performance.now() - f0) / 1000;
  const rows = DAYS * 86_400;
  console.log(`timeline-query: filled ${rows.toLocaleString('en-GB')} 1 s records (with the rollup triggers) in ${fillS.toFixed(1)} s = ${Math.round(rows / fillS).toLocaleString('en-GB')} records/s`);

  const timeline = createTimelineService(db, () => END);
  const time = (label: string, from: number, to: number, width: number): void => {
    timeline.build({ caseRef: REF, from, to, width }); // warm the statement cache
    const runs: number[] = [];
    let buckets = 0;
    for (let i = 0; i < 5; i++) {
      const q0 = performance.now();
      const tl = timeline.build({ caseRef: REF, from, to, width });
      runs.push(performance.now() - q0);
      buckets = tl.bucket.t.length;
    }
    runs.sort((a, b) => a - b);
    console.log(`timeline-query: ${label}: ${buckets} buckets, median ${runs[2]!.toFixed(1)} ms, worst ${runs[4]!.toFixed(1)} ms (issue 5 target < 300 ms)`);
  };
  time('30 days at width 1000', T0, END, 1000);
  const night = T0 + 10 * 86_400_000 + 23 * 3_600_000;
  time('one night (23:00-07:00) at full 1 s resolution', night, night + 8 * 3_600_000, 28_800);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
