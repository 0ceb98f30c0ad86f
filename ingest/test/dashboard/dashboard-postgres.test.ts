/**
 * The officer web view's dashboard and monitor-health reads on PostgreSQL (issue 12 on the record port): a
 * real data folder fed through the real pipeline — two officers' cases, open, inactive and closed, monitors
 * deployed on them with heartbeats of different ages (one offline, one never heard and disabled), events,
 * incident marks, clips, diary entries, contacts and a case already opened — copied into a real PostgreSQL
 * with `store copy`'s own code. Each read, run on both stores at the same instant, must give the same answer;
 * and opening a case, written through each store, must change the dashboard the same way.
 */
import type { StatusBody } from '@earshot/shared';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { listCasesSteps } from '../../src/cases/case-queries.ts';
import { addDiaryEntry, changeCaseStatus, closeCase, markCaseSeen, markCaseSeenSteps, openCase, recordContact, startDeployment } from '../../src/cases/index.ts';
import { type Dashboard, dashboardSteps, monitorHealthSteps } from '../../src/dashboard/index.ts';
import { caseFactsSteps } from '../../src/http/case-list.ts';
import { clipRowSteps } from '../../src/http/clip-lookup.ts';
import { copyStore } from '../../src/storage/copy/copy-store.ts';
import { postgresRecord } from '../../src/storage/record/postgres-record.ts';
import { readNow, sqliteRecord } from '../../src/storage/record/sqlite-record.ts';
import type { Steps } from '../../src/storage/record/steps.ts';
import { addAccount } from '../../src/users/account-steps.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from '../export/fixture.ts';
import { usePostgres } from '../storage/pg-fixture.ts';

const fx = usePostgres();
const fixtures: ExportFixture[] = [];
afterAll(() => {
  for (const f of fixtures) f.close();
});

const CHEAP = { N: 1024, r: 8, p: 1 };
/** Monday 2 November 2026, 09:00 GMT (UK time = UTC): every response target falls due in November. */
const T0 = Date.parse('2026-11-02T09:00:00.000Z');
/** Ten days on: the high-risk target and two general ones have passed. */
const NOW = T0 + 10 * DAY;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A heartbeat with a disk and a rejected config, so every field of the health is read from the body. */
const RICH_STATUS: StatusBody = {
  uptimeSeconds: 5_000, clock: { synced: false, offsetMs: 250, source: 'timedatectl' },
  outbox: { depth: 12, bytes: 40_960, quotaBytes: 1_000_000, compactedRecords: 0 }, disk: { freeBytes: 2e9, totalBytes: 3.2e10 }, temperatureC: 41,
  mic: { state: 'clipping', silentSeconds: 0, clippedSamples: 17 }, fullScaleDb: 120, firmwareVersion: '1.4.2',
  config: { version: 3, lastReceived: { version: 4, accepted: false, error: 'rule bass: windowSeconds out of range' } },
  capture: { source: 'alsa', restarts: 1, lastError: null },
};

interface Built {
  readonly f: ExportFixture;
  readonly clipId: string;
}

/** The state both stores are read in: built on SQLite through the real pipeline and the case operations. */
async function build(): Promise<Built> {
  const f = makeExportFixture(T0);
  fixtures.push(f);
  const record = sqliteRecord(f.ingest.cases);
  await addAccount(record, { username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'a long enough password' }, CHEAP);
  await addAccount(record, { username: 'akhan', displayName: 'Asha Khan', initials: 'AK', role: 'officer', password: 'a long enough password' }, CHEAP);
  await addAccount(record, { username: 'sup', displayName: 'Sam Patel', initials: 'SP', role: 'supervisor', password: 'a long enough password' }, CHEAP);
  const [a, b, c] = ['mon-a', 'mon-b', 'mon-c'].map((id) => f.device(id)) as [ReturnType<ExportFixture['device']>, ReturnType<ExportFixture['device']>, ReturnType<ExportFixture['device']>];
  f.device('mon-d');
  f.ingest.registry.disable('mon-d', T0);

  const ctx = f.ingest.cases;
  openCase(ctx, { ref: 'ASB-2026-0001', category: 'general', officer: 'jsmith', address: '1 High Street' });
  openCase(ctx, { ref: 'ASB-2026-0002', category: 'high-risk', officer: 'jsmith', address: '2 High Street' });
  openCase(ctx, { ref: 'ASB-2026-0003', category: 'general', officer: 'akhan', address: '3 Low Road' });
  openCase(ctx, { ref: 'ASB-2026-0004', category: 'general', officer: 'akhan', address: '4 Low Road' });
  openCase(ctx, { ref: 'ASB-2026-0005', category: 'general', officer: 'jsmith', address: '5 High Street' });
  f.clock = T0 + HOUR;
  startDeployment(ctx, { caseRef: 'ASB-2026-0001', deviceId: 'mon-a', installedBy: 'jsmith' });
  startDeployment(ctx, { caseRef: 'ASB-2026-0002', deviceId: 'mon-b', installedBy: 'jsmith' });
  startDeployment(ctx, { caseRef: 'ASB-2026-0003', deviceId: 'mon-c', installedBy: 'akhan' });
  a.heartbeat(T0 + HOUR + 60_000, { synced: true, offsetMs: 2 });

  f.clock = T0 + 2 * HOUR;
  const { clipId } = await a.event({ startMs: T0 + 2 * HOUR, seconds: 90, laeq: 58, tone: 440 });
  a.incident(T0 + 2 * HOUR + 10_000);
  b.started({ startMs: T0 + 2 * HOUR + 5 * 60_000, level: 61 });
  await c.event({ startMs: T0 + 3 * HOUR, seconds: 30, laeq: 52, tone: 220, clip: false });
  f.clock = T0 + 4 * HOUR;
  addDiaryEntry(ctx, 'ASB-2026-0001', { startedAt: iso(T0 + 2 * HOUR), endedAt: iso(T0 + 2 * HOUR + 5 * 60_000), heard: 'Music through the wall' });
  addDiaryEntry(ctx, 'ASB-2026-0003', { startedAt: iso(T0 + 3 * HOUR), heard: 'Shouting on the landing' });
  f.clock = T0 + 5 * HOUR;
  recordContact(ctx, { caseRef: 'ASB-2026-0001', method: 'phone', summary: 'Spoke to the complainant', by: 'jsmith' });
  // Jo opened case 1 here: what follows is new to her.
  markCaseSeen(f.ingest.db, 'jsmith', 'ASB-2026-0001', T0 + 6 * HOUR);
  markCaseSeen(f.ingest.db, 'akhan', 'ASB-2026-0003', T0 + 6 * HOUR);

  f.clock = T0 + 7 * HOUR;
  await a.event({ startMs: T0 + 7 * HOUR, seconds: 40, laeq: 60, tone: 330 });
  a.incident(T0 + 7 * HOUR + 30_000);
  f.clock = T0 + 8 * HOUR;
  addDiaryEntry(ctx, 'ASB-2026-0001', { startedAt: iso(T0 + 7 * HOUR + 20_000), heard: 'Bass again' });
  changeCaseStatus(ctx, { ref: 'ASB-2026-0005', status: 'inactive', reason: 'no reply from the complainant', by: 'jsmith' });
  closeCase(ctx, 'ASB-2026-0004', 'resolved', 'akhan');
  f.clock = T0 + 9 * DAY + 12 * HOUR;
  recordContact(ctx, { caseRef: 'ASB-2026-0003', method: 'visit', summary: 'Visited the complainant', by: 'akhan' });

  // Heartbeats at different ages: mon-a online, mon-b three hours silent, mon-c online with trouble, mon-d never.
  f.clock = NOW;
  b.heartbeat(NOW - 3 * HOUR, { synced: true, offsetMs: 4 });
  a.heartbeat(NOW - 30_000, { synced: true, offsetMs: 3 });
  c.send('status', RICH_STATUS, NOW - 2 * 60_000);
  return { f, clipId };
}

async function copied(f: ExportFixture): Promise<pg.Pool> {
  const pool = await fx.pool();
  expect((await copyStore({ db: f.ingest.db, clipsDir: f.ingest.dir.clips }, pool)).ok).toBe(true);
  return pool;
}

/** The operation read on each store: PostgreSQL's answer must deep-equal SQLite's. Returns SQLite's. */
async function same<T>(pool: pg.Pool, f: ExportFixture, make: () => Steps<T>): Promise<T> {
  const lite = readNow(f.ingest.db, make());
  expect(await postgresRecord(pool).read(make())).toEqual(lite);
  return lite;
}

const caseOf = (d: Dashboard, ref: string) => d.cases.find((c) => c.ref === ref)!;

describe('the dashboard and monitor health on PostgreSQL', () => {
  it('answer as on SQLite: both scopes, every account, with and without a filter', async () => {
    const { f } = await build();
    const pool = await copied(f);
    const all = await same(pool, f, () => dashboardSteps({ username: 'sup', scope: 'all', now: NOW }));
    const jo = await same(pool, f, () => dashboardSteps({ username: 'jsmith', scope: 'mine', now: NOW }));
    const asha = await same(pool, f, () => dashboardSteps({ username: 'akhan', scope: 'mine', now: NOW }));
    await same(pool, f, () => dashboardSteps({ username: 'jsmith', scope: 'all', now: NOW }));
    const health = await same(pool, f, () => monitorHealthSteps(NOW));
    const filtered = await same(pool, f, () => monitorHealthSteps(NOW, { deviceIds: new Set(['mon-c', 'mon-a', 'mon-x']) }));

    // The state is what it says, so two stores wrong alike still fail.
    expect(all.cases.map((c) => c.ref)).toEqual(['ASB-2026-0002', 'ASB-2026-0001', 'ASB-2026-0003', 'ASB-2026-0005']);
    expect(jo.cases.map((c) => [c.ref, c.status])).toEqual([['ASB-2026-0002', 'open'], ['ASB-2026-0001', 'open'], ['ASB-2026-0005', 'inactive']]);
    expect(asha.cases.map((c) => c.ref)).toEqual(['ASB-2026-0003']);
    expect(caseOf(jo, 'ASB-2026-0001')).toMatchObject({
      address: '1 High Street', officerName: 'Jo Smith', monitors: ['mon-a'], lastEvidenceAt: iso(T0 + 7 * HOUR + 30_000), daysSinceLastEvidence: 9,
      responseTarget: 'met', contactOverdue: true, newSince: { since: iso(T0 + 6 * HOUR), events: 1, incidents: 1, diary: 1 },
    });
    expect(caseOf(jo, 'ASB-2026-0002')).toMatchObject({ responseTarget: 'missed', newSince: { since: null, events: 1, incidents: 0, diary: 0 } });
    expect(caseOf(asha, 'ASB-2026-0003').newSince).toEqual({ since: iso(T0 + 6 * HOUR), events: 0, incidents: 0, diary: 0 });
    expect(caseOf(jo, 'ASB-2026-0005')).toMatchObject({ lastEvidenceAt: null, daysSinceLastEvidence: null, monitors: [] });
    expect(all.team).toEqual({
      month: '2026-11',
      officers: [
        { officer: 'akhan', officerName: 'Asha Khan', activeCases: 1, overdueContacts: 0, targetsMet: 0, targetsMissed: 2 },
        { officer: 'jsmith', officerName: 'Jo Smith', activeCases: 3, overdueContacts: 2, targetsMet: 1, targetsMissed: 2 },
      ],
    });
    expect(jo.team).toBeNull();
    expect(jo.monitors.map((m) => m.deviceId)).toEqual(['mon-a', 'mon-b']);
    expect(health.map((m) => [m.deviceId, m.enabled, m.online, m.caseRef])).toEqual([
      ['mon-a', true, true, 'ASB-2026-0001'], ['mon-b', true, false, 'ASB-2026-0002'], ['mon-c', true, true, 'ASB-2026-0003'], ['mon-d', false, false, null],
    ]);
    expect(health[2]).toMatchObject({ mic: 'clipping', diskFreeBytes: 2e9, outboxDepth: 12, firmwareVersion: '1.4.2', configAccepted: false, configError: 'rule bass: windowSeconds out of range' });
    expect(health[3]!.lastHeardAt).toBeNull();
    expect(filtered.map((m) => m.deviceId)).toEqual(['mon-a', 'mon-c']);
  }, 180_000);

  it('give each case\'s list facts and each clip\'s row as on SQLite', async () => {
    const { f, clipId } = await build();
    const pool = await copied(f);
    const cases = readNow(f.ingest.db, listCasesSteps());
    expect(cases).toHaveLength(5);
    const facts = [];
    for (const c of cases) facts.push(await same(pool, f, () => caseFactsSteps(c, NOW)));
    expect(facts.map((x) => [x.daysSinceLastEvidence, x.responseOverdue])).toEqual([[9, true], [9, true], [9, true], [null, false], [null, false]]);
    const clip = await same(pool, f, () => clipRowSteps('mon-a', clipId));
    expect(clip).toMatchObject({ caseRef: 'ASB-2026-0001', state: 'complete' });
    expect(clip!.bytes).toBeGreaterThan(0);
    expect(await same(pool, f, () => clipRowSteps('mon-a', 'clip-404'))).toBeNull();
    expect(await same(pool, f, () => clipRowSteps('mon-b', clipId))).toBeNull();
  }, 180_000);

  it('change alike when a case is opened through each store: a first opening and a later one', async () => {
    const { f } = await build();
    const pool = await copied(f);
    const q = { username: 'jsmith', scope: 'mine', now: NOW } as const;
    const before = await same(pool, f, () => dashboardSteps(q));
    for (const write of [sqliteRecord(f.ingest.cases).write, postgresRecord(pool).write]) {
      await write(markCaseSeenSteps('jsmith', 'ASB-2026-0002', T0 + 2 * HOUR));
      await write(markCaseSeenSteps('jsmith', 'ASB-2026-0001', T0 + 7 * HOUR + 10_000));
    }
    const after = await same(pool, f, () => dashboardSteps(q));
    expect(after).not.toEqual(before);
    expect(caseOf(after, 'ASB-2026-0002').newSince).toEqual({ since: iso(T0 + 2 * HOUR), events: 1, incidents: 0, diary: 0 });
    expect(caseOf(after, 'ASB-2026-0001').newSince).toEqual({ since: iso(T0 + 7 * HOUR + 10_000), events: 0, incidents: 1, diary: 1 });
    // Another account's view of the same cases is untouched.
    expect(caseOf(await same(pool, f, () => dashboardSteps({ username: 'sup', scope: 'all', now: NOW })), 'ASB-2026-0002').newSince.since).toBeNull();
  }, 180_000);
});
