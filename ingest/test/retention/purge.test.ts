import { afterEach, describe, expect, it } from 'vitest';
import { annotate } from '../../src/cases/annotations.ts';
import { changeCaseStatus, closeCase, openCase } from '../../src/cases/cases.ts';
import { showCase } from '../../src/cases/case-queries.ts';
import { endDeployment, startDeployment } from '../../src/cases/deployments.ts';
import { addDiaryEntry, listDiary } from '../../src/cases/diary.ts';
import { runPurge } from '../../src/retention/purge.ts';
import { sqlitePurgeStore } from '../../src/retention/purge-store.ts';
import { deleteCaseRows, purgeCaseContent, purgeOldTimeSeries } from '../../src/retention/steps.ts';
import { type Fixture, DAY, HOUR, openFixture } from '../cases/fixture.ts';

let f: Fixture;
afterEach(() => f.close());

const cal = { readingDb: 94, fullScaleDb: 120 };
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

/** Four cases: A open, B closed 2026-03-10, C closed 2030-01-01, D inactive; each with a diary entry and a note. */
function world(): void {
  f = openFixture();
  for (const [ref, device] of [['ASB-2026-0001', 'mon-a'], ['ASB-2026-0002', 'mon-b'], ['ASB-2026-0003', 'mon-c'], ['ASB-2026-0004', 'mon-d']] as const) {
    f.clock = T0;
    openCase(f, { ref, category: 'general', officer: 'P. Officer', address: `${ref} Street`, complainant: { name: `Resident ${ref}`, contact: 'x@example.org' } });
    addDiaryEntry(f, ref, { startedAt: '2026-03-01T23:00:00Z', heard: `music heard at ${ref}` });
    annotate(f, { caseRef: ref, officer: 'P. Officer', text: `note on ${ref}` });
    const d = startDeployment(f, { caseRef: ref, deviceId: device, installedAt: '2026-03-02T10:00:00Z', installedBy: 'T', calibration: cal });
    if (ref !== 'ASB-2026-0001') endDeployment(f, { deploymentId: d.id, removedAt: '2026-03-09T10:00:00Z', removedBy: 'T', calibration: cal });
  }
  f.clock = Date.parse('2026-03-10T12:00:00.000Z');
  closeCase(f, 'ASB-2026-0002', 'resolved', 'P. Officer');
  changeCaseStatus(f, { ref: 'ASB-2026-0004', status: 'inactive', reason: 'resident away', by: 'P. Officer' });
  f.clock = Date.parse('2030-01-01T12:00:00.000Z');
  closeCase(f, 'ASB-2026-0003', 'resolved', 'P. Officer');
  f.db.exec(`
    CREATE TABLE fake_levels (device TEXT NOT NULL, t_ms INTEGER NOT NULL, laeq REAL, PRIMARY KEY (t_ms, device)) STRICT, WITHOUT ROWID;
    CREATE TABLE fake_events (id INTEGER PRIMARY KEY, case_ref TEXT, body TEXT) STRICT;`);
  const ins = f.db.prepare<[string, number]>('INSERT INTO fake_levels VALUES (?, ?, 40)');
  for (const device of ['mon-a', 'mon-b', 'mon-c', 'mon-d', 'mon-x']) {
    for (let h = 0; h < 48; h++) ins.run(device, Date.parse('2026-03-03T00:00:00Z') + h * HOUR);
  }
  for (const ref of ['ASB-2026-0001', 'ASB-2026-0002']) f.db.prepare('INSERT INTO fake_events (case_ref, body) VALUES (?, ?)').run(ref, '{}');
}

const leafBytes = (): string[] => f.db.prepare<[], { leaf: string }>('SELECT leaf FROM test_leaves ORDER BY leaf_index').all().map((r) => r.leaf);
const levelsOf = (device: string): number => f.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM fake_levels WHERE device = ?').get(device)?.n ?? -1;

const steps = [
  purgeCaseContent,
  deleteCaseRows({ name: 'fake-events', table: 'fake_events', caseColumn: 'case_ref' }),
  purgeOldTimeSeries({ name: 'fake-levels', table: 'fake_levels', timeColumn: 't_ms', deviceColumn: 'device' }),
];

describe('retention purge', () => {
  it('purges only cases closed 7 years ago, keeps every leaf, and audits what went', async () => {
    world();
    const before = leafBytes();
    const now = Date.parse('2033-04-01T00:00:00.000Z');
    f.db.prepare('INSERT INTO fake_levels VALUES (?, ?, 40)').run('mon-x', now - DAY); // recent: kept
    const report = await runPurge(sqlitePurgeStore(f.db, '/nonexistent'), steps, { nowMs: now });
    expect(report.cutoffs).toEqual({
      levelsBeforeMs: now - 400 * DAY, casesClosedBy: '2026-04-01T00:00:00.000Z',
      quarantinePayloadsBeforeMs: now - 30 * DAY, quarantineRowsBeforeMs: now - 400 * DAY, orphanChunksBeforeMs: now - 2 * DAY, bundlesBeforeMs: now - 7 * DAY,
    });

    // Only B (closed 2026-03-10) has expired; A open, D inactive, C closed 2030.
    expect(listDiary(f.db, 'ASB-2026-0002')[0]?.content).toBeNull();
    expect(showCase(f.db, 'ASB-2026-0002', { includeComplainant: true })).toMatchObject({ address: null, complainant: null });
    for (const ref of ['ASB-2026-0001', 'ASB-2026-0003', 'ASB-2026-0004']) {
      expect(listDiary(f.db, ref)[0]?.content?.heard).toBe(`music heard at ${ref}`);
      expect(showCase(f.db, ref, { includeComplainant: true }).complainant?.name).toBe(`Resident ${ref}`);
    }
    // The log is untouched.
    expect(leafBytes()).toEqual(before);

    // Audit: each removed item with the leaf and hash that still stand for it.
    const audit = f.db.prepare<[], { step: string; rows: number; detail: string }>('SELECT step, rows, detail FROM retention_audit ORDER BY id').all();
    expect(audit.map((a) => [a.step, a.rows])).toEqual([
      ['case-content', 3],
      ['fake-events', 1],
      ['fake-levels', 48 * 2],
    ]);
    const removed = f.db
      .prepare<[number], { item: string }>('SELECT item FROM retention_audit_items WHERE audit_id = ? ORDER BY id')
      .all(report.steps[0]?.auditId ?? -1)
      .map((r) => JSON.parse(r.item) as { table: string; leafIndex: number; sha256: string });
    expect(removed.map((r) => r.table)).toEqual(['diary_entries', 'annotations', 'cases']);
    const leaves = f.leaves();
    for (const r of removed) {
      const data = leaves[r.leafIndex]?.data;
      expect(data?.contentSha256 ?? data?.detailsSha256).toBe(r.sha256);
    }

    // Events of B deleted, A kept.
    expect(f.db.prepare('SELECT case_ref FROM fake_events').all()).toEqual([{ case_ref: 'ASB-2026-0001' }]);
    // Old levels: kept inside deployments of kept cases (A open, C not expired, D inactive),
    // deleted for B (expired) and for the undeployed device; the recent row stays.
    expect([levelsOf('mon-a'), levelsOf('mon-b'), levelsOf('mon-c'), levelsOf('mon-d'), levelsOf('mon-x')]).toEqual([48, 0, 48, 48, 1]);

    // A second run removes nothing more.
    const again = await runPurge(sqlitePurgeStore(f.db, '/nonexistent'), steps, { nowMs: now + DAY });
    expect(again.steps.map((s) => s.rows)).toEqual([0, 0, 0]);
  });

  it('never purges an open case, however old', async () => {
    world();
    await runPurge(sqlitePurgeStore(f.db, '/nonexistent'), steps, { nowMs: Date.parse('2090-01-01T00:00:00.000Z') });
    expect(listDiary(f.db, 'ASB-2026-0001')[0]?.content).not.toBeNull();
    expect(levelsOf('mon-a')).toBe(48);
    expect(listDiary(f.db, 'ASB-2026-0003')[0]?.content).toBeNull();
  });

  it('honours a configured policy, and refuses a bad one', async () => {
    world();
    const store = sqlitePurgeStore(f.db, '/nonexistent');
    const step = purgeOldTimeSeries({ name: 'fake-levels', table: 'fake_levels', timeColumn: 't_ms', deviceColumn: 'device', sliceMs: DAY });
    // 30 days from 2026-04-10: everything before 2026-03-11 may go, except inside kept cases' deployments.
    const r = await runPurge(store, [step], { nowMs: Date.parse('2026-04-10T00:00:00.000Z'), policy: { levelsDays: 30 } });
    expect(r.steps[0]?.rows).toBe(48);
    expect([levelsOf('mon-a'), levelsOf('mon-b'), levelsOf('mon-c'), levelsOf('mon-d'), levelsOf('mon-x')]).toEqual([48, 48, 48, 48, 0]);
    await expect(runPurge(store, [step], { nowMs: 0, policy: { levelsDays: 0 } })).rejects.toMatchObject({ code: 'EARSHOT_E_CONFIG_INVALID' });
  });
});
