import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LevelRecord } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type CasesContext, casesMigrations, endDeployment, openCase, startDeployment } from '../../src/cases/index.ts';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { storeMigrations } from '../../src/store/migrations.ts';
import { chooseGrid, createTimelineService, l90FromBins, l90FromValues, nightHours, timelineMigrations } from '../../src/timeline/index.ts';

const T0 = Date.parse('2026-03-02T00:00:00.000Z');
const REF = 'ASB-2026-0001';
let dir = '';
let db: Db;
afterEach(() => {
  if (dir === '') return;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function open(extra: { name: string; sql: string }[] = []): CasesContext {
  dir = mkdtempSync(join(tmpdir(), 'earshot-timeline-'));
  db = openDatabase(join(dir, 'earshot.db'), [...storeMigrations, ...casesMigrations, ...extra, ...timelineMigrations]);
  let leaves = 0;
  return { db, now: () => T0, evidence: { append: () => ({ leafIndex: leaves++ }) } };
}

/** Pseudo-random but repeatable levels, with silences and a compacted record. */
function fill(device: string, start: number, seconds: number): LevelRecord[] {
  const out: LevelRecord[] = [];
  for (let i = 0; i < seconds; i++) {
    const t = start + i * 1000;
    const l = Math.round((30 + ((i * 7919) % 400) / 10 + (i % 97 === 0 ? 30 : 0)) * 10) / 10;
    out.push(i % 211 === 5
      ? { t: new Date(t).toISOString(), d: 1, LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, silent: true }
      : { t: new Date(t).toISOString(), d: 1, LAeq: l, LCeq: l, LZeq: l, LAFmax: l + 3, LAFmin: l - 2, LASmax: l, LCpeak: l + 20 });
  }
  const w = createLevelsWriter(db);
  db.transaction(() => {
    for (let i = 0; i < out.length; i += 3600) w.write(device, i, { fullScaleDb: 120, records: out.slice(i, i + 3600) });
  })();
  return out;
}

/** The same statistics straight from the records, for comparison with the rollups. */
function expected(rows: LevelRecord[], from: number, to: number) {
  const inside = rows.filter((r) => Date.parse(r.t) >= from && Date.parse(r.t) < to);
  const lv = inside.filter((r) => r.LAeq !== null);
  const energy = lv.reduce((a, r) => a + 10 ** (r.LAeq! / 10), 0);
  const bins = new Map<number, number>();
  for (const r of lv) bins.set(Math.floor(r.LAeq!), (bins.get(Math.floor(r.LAeq!)) ?? 0) + 1);
  return {
    LAeq: lv.length === 0 ? null : Math.round(1000 * Math.log10(energy / lv.length)) / 100,
    LAFmax: lv.length === 0 ? null : Math.max(...lv.map((r) => r.LAFmax!)),
    LAFmin: lv.length === 0 ? null : Math.min(...lv.map((r) => r.LAFmin!)),
    LA90: l90FromBins(bins),
    seconds: lv.length,
  };
}

describe('bucket grid and percentiles', () => {
  it('picks the smallest nice step giving at most width buckets, aligned to the step', () => {
    expect(chooseGrid(T0, T0 + 30 * 86_400_000, 1000)).toEqual({ start: T0, end: T0 + 30 * 86_400_000, stepMs: 3_600_000, count: 720 });
    expect(chooseGrid(T0, T0 + 8 * 3_600_000, 28_800)).toMatchObject({ stepMs: 1000, count: 28_800 });
    expect(chooseGrid(T0 + 500, T0 + 8 * 3_600_000 + 500, 28_800)).toMatchObject({ stepMs: 2000, start: T0 });
    expect(chooseGrid(T0 + 61_000, T0 + 3_600_000, 100)).toEqual({ start: T0 + 60_000, end: T0 + 3_600_000, stepMs: 60_000, count: 59 });
  });

  it('reads LA90 as the level reached by 10 % of the time from below', () => {
    const v = Float64Array.from([50, 40, 41, 42, 43, 44, 45, 46, 47, 48]);
    expect(l90FromValues(v, new Float64Array(10).fill(1), 10)).toBe(40);
    expect(l90FromValues(v, Float64Array.from([1, 9, 1, 1, 1, 1, 1, 1, 1, 1]), 10)).toBe(40);
    expect(l90FromBins(new Map([[30, 1], [40, 9]]))).toBe(30.5);
    expect(l90FromBins(new Map([[30, 1], [40, 10]]))).toBe(40.5);
    expect(l90FromBins(new Map())).toBeNull();
  });

  it('shades night hours 23:00–07:00 London time across the clock change', () => {
    // 29 March 2026: clocks go forward at 01:00 UTC; night starts 23:00 GMT, ends 07:00 BST (06:00 UTC).
    expect(nightHours(Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-03-29T12:00:00Z'))).toEqual([{ from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T06:00:00.000Z' }]);
    expect(nightHours(Date.parse('2026-07-01T12:00:00Z'), Date.parse('2026-07-02T03:00:00Z'))).toEqual([{ from: '2026-07-01T22:00:00.000Z', to: '2026-07-02T03:00:00.000Z' }]);
  });
});

describe('timeline levels', () => {
  it('gives the same statistics from the rollups as from the raw records, ragged edges included', () => {
    const ctx = open();
    openCase(ctx, { ref: REF, category: 'general', officer: 'o', address: '1 Road' });
    // Installed and removed mid-minute: the minutes at both ends are shared with no one but must not be over-counted.
    const d = startDeployment(ctx, { caseRef: REF, deviceId: 'mon-1', installedAt: new Date(T0 + 90_500).toISOString(), installedBy: 't', calibration: { readingDb: 94, fullScaleDb: 120 } });
    endDeployment(ctx, { deploymentId: d.id, removedAt: new Date(T0 + 5 * 3_600_000 + 37_000).toISOString(), removedBy: 't', calibration: { readingDb: 94, fullScaleDb: 120 } });
    const rows = fill('mon-1', T0, 6 * 3600);
    const tl = createTimelineService(db, () => T0 + 86_400_000);
    // 1 h steps (10 min tier), 10 min steps, 5 min steps (minute tier only).
    for (const width of [6, 36, 72]) {
      const r = tl.build({ caseRef: REF, from: T0, to: T0 + 6 * 3_600_000, width });
      const step = r.bucket.stepSeconds * 1000;
      expect(step).toBeGreaterThanOrEqual(60_000);
      const s = r.levels[0]!;
      r.bucket.t.forEach((t, i) => {
        const e = expected(rows, Math.max(t, T0 + 90_500), Math.min(t + step, T0 + 5 * 3_600_000 + 37_000));
        expect({ LAeq: s.LAeq[i], LAFmax: s.LAFmax[i], LAFmin: s.LAFmin[i], LA90: s.LA90[i], seconds: s.seconds[i] }, `width ${width} bucket ${i}`).toEqual(e);
      });
    }
  });

  it('keeps the rollups exact when the retention purge deletes records, and builds them for records stored before', () => {
    const ctx = open([{ name: 'test-pre-rows', sql: `INSERT INTO levels (t, device, d, laeq, lafmax, lafmin, silent, full_scale_db, seq) VALUES (${T0}, 'mon-1', 1, 50, 55, 45, 0, 120, 0)` }]);
    openCase(ctx, { ref: REF, category: 'general', officer: 'o', address: '1 Road' });
    startDeployment(ctx, { caseRef: REF, deviceId: 'mon-1', installedAt: new Date(T0).toISOString(), installedBy: 't', calibration: { readingDb: 94, fullScaleDb: 120 } });
    const pre = db.prepare('SELECT records, lafmax FROM levels_1m WHERE device = ? AND start = ?').get('mon-1', T0);
    expect(pre).toEqual({ records: 1, lafmax: 55 });
    const rows = [{ t: new Date(T0).toISOString(), d: 1, LAeq: 50, LCeq: null, LZeq: null, LAFmax: 55, LAFmin: 45, LASmax: null, LCpeak: null } as LevelRecord, ...fill('mon-1', T0 + 1000, 1800).slice(0)];
    // Delete a stretch and the loudest record of another block.
    db.prepare('DELETE FROM levels WHERE t >= ? AND t < ?').run(T0 + 100_000, T0 + 700_000);
    const loudest = rows.slice(800).reduce((a, r) => (r.LAFmax !== null && r.LAFmax > (a.LAFmax ?? -1) ? r : a));
    db.prepare('DELETE FROM levels WHERE t = ?').run(Date.parse(loudest.t));
    const kept = rows.filter((r) => { const t = Date.parse(r.t); return !(t >= T0 + 100_000 && t < T0 + 700_000) && r !== loudest; });
    const r = createTimelineService(db, () => T0 + 86_400_000).build({ caseRef: REF, from: T0, to: T0 + 1_800_000, width: 3 });
    expect(r.bucket.stepSeconds).toBe(600);
    r.bucket.t.forEach((t, i) => {
      const e = expected(kept, t, t + 600_000);
      expect({ LAeq: r.levels[0]!.LAeq[i], LAFmax: r.levels[0]!.LAFmax[i], LAFmin: r.levels[0]!.LAFmin[i], LA90: r.levels[0]!.LA90[i], seconds: r.levels[0]!.seconds[i] }).toEqual(e);
    });
    expect(db.prepare('SELECT count(*) AS n FROM levels_1m WHERE start >= ? AND start < ?').get(T0 + 120_000, T0 + 660_000)).toEqual({ n: 0 });
  });

  it('shows no levels outside the case\'s deployments, even from its device', () => {
    const ctx = open();
    openCase(ctx, { ref: REF, category: 'general', officer: 'o', address: '1 Road' });
    openCase(ctx, { ref: 'ASB-2026-0002', category: 'general', officer: 'o', address: '2 Road' });
    const d = startDeployment(ctx, { caseRef: 'ASB-2026-0002', deviceId: 'mon-1', installedAt: new Date(T0).toISOString(), installedBy: 't', calibration: { readingDb: 94, fullScaleDb: 120 } });
    endDeployment(ctx, { deploymentId: d.id, removedAt: new Date(T0 + 3_600_000).toISOString(), removedBy: 't', calibration: { readingDb: 94, fullScaleDb: 120 } });
    startDeployment(ctx, { caseRef: REF, deviceId: 'mon-1', installedAt: new Date(T0 + 3_600_000).toISOString(), installedBy: 't', calibration: { readingDb: 94, fullScaleDb: 120 } });
    fill('mon-1', T0, 2 * 3600);
    const r = createTimelineService(db, () => T0 + 2 * 3_600_000).build({ caseRef: REF, from: T0, to: T0 + 2 * 3_600_000, width: 2 });
    expect(r.levels[0]!.seconds[0]).toBe(0);
    expect(r.levels[0]!.LAeq[0]).toBeNull();
    expect(r.levels[0]!.seconds[1]).toBeGreaterThan(3500);
  });

  it('names an empty period, an overlong one and an unknown case', () => {
    open();
    const tl = createTimelineService(db);
    const code = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as { code?: string }).code; } return undefined; };
    expect(code(() => tl.build({ caseRef: REF, from: T0, to: T0, width: 10 }))).toBe('EARSHOT_E_HTTP_PERIOD_INVALID');
    expect(code(() => tl.build({ caseRef: REF, from: T0, to: T0 + 401 * 86_400_000, width: 10 }))).toBe('EARSHOT_E_HTTP_PERIOD_INVALID');
    expect(code(() => tl.build({ caseRef: REF, from: T0, to: T0 + 1000, width: 0 }))).toBe('EARSHOT_E_HTTP_PERIOD_INVALID');
    expect(code(() => tl.build({ caseRef: REF, from: T0, to: T0 + 1000, width: 10 }))).toBe('EARSHOT_E_CASE_NOT_FOUND');
  });
});
