/**
 * The offline-monitor alerts on both stores (issue 12, 15): one look's steps (alerts/offline-watch.ts), run on
 * SQLite by the embedded watch and on PostgreSQL by the lease holder's watch, raise the same alerts at the
 * same times — one "offline" per outage, one "online" at the next heartbeat, none when the deployment ends —
 * and on PostgreSQL a process not holding the lease raises none, so two processes alert an outage once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitorAlert } from '../../src/alerts/monitor-outage.ts';
import { startOfflineWatch } from '../../src/alerts/offline-watch.ts';
import { openCaseSteps } from '../../src/cases/cases.ts';
import { endDeploymentSteps, startDeploymentSteps } from '../../src/cases/deployments.ts';
import { openIngest } from '../../src/service/open-ingest.ts';
import { startPgOfflineWatch } from '../../src/storage/postgres/offline-alerts.ts';
import { postgresRecord } from '../../src/storage/record/postgres-record.ts';
import { sqliteRecord } from '../../src/storage/record/sqlite-record.ts';
import { type RecordStore, run } from '../../src/storage/record/steps.ts';
import { usePostgres } from './pg-fixture.ts';

const pg = usePostgres();
const MIN = 60_000;
const T0 = Date.parse('2026-11-24T20:00:00.000Z');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Store {
  record: RecordStore;
  /** One look of each watch; the alerts each raised. */
  look(): Promise<MonitorAlert[][]>;
}

function heartbeat(record: RecordStore, seq: number, atMs: number): Promise<number> {
  return record.write((function* () {
    return yield* run('INSERT INTO status (device, seq, sent_at, received_at, body) VALUES (?, ?, ?, ?, ?)', 'mon-001', seq, atMs, atMs, '{}');
  })());
}

async function timeline(s: Store, clock: { now: number }): Promise<unknown[]> {
  const r = s.record;
  await r.write(openCaseSteps({ ref: 'ASB-2026-0001', category: 'high-risk', officer: 'jsmith', address: '1 Acacia Avenue' }, T0));
  await r.write(startDeploymentSteps({ caseRef: 'ASB-2026-0001', deviceId: 'mon-001', installedAt: new Date(T0).toISOString(), installedBy: 'jsmith', audioMode: 'off' }, T0));
  const seen: unknown[] = [];
  const at = async (ms: number): Promise<void> => {
    clock.now = T0 + ms;
    seen.push({ at: ms / MIN, raised: await s.look() });
  };
  await heartbeat(r, 1, T0 + 5 * MIN);
  await at(30 * MIN); // heard 25 min ago
  await at(66 * MIN); // 61 min: offline
  await at(90 * MIN); // still: no second alert
  await heartbeat(r, 2, T0 + 100 * MIN);
  await at(101 * MIN); // back online
  await at(170 * MIN); // offline again (70 min since the heartbeat)
  clock.now = T0 + 180 * MIN;
  await r.write(endDeploymentSteps({ deploymentId: 1, removedBy: 'jsmith' }, clock.now));
  await at(181 * MIN); // ended: closed without an alert
  return seen;
}

describe('offline-monitor alerts on both stores', () => {
  it('raise the same alerts, once per outage; on PostgreSQL only the lease holder raises them', async () => {
    const sqliteClock = { now: T0 };
    const dir = mkdtempSync(join(tmpdir(), 'earshot-offline-'));
    dirs.push(dir);
    const ingest = openIngest(dir, () => sqliteClock.now);
    const sqliteAlerts: MonitorAlert[] = [];
    const sqliteWatch = startOfflineWatch({ db: ingest.db, alerter: { notifyMonitor: (a) => sqliteAlerts.push(a) }, offlineAfterMs: 60 * MIN, now: () => sqliteClock.now, intervalMs: 0 });
    const onSqlite = await timeline({
      record: sqliteRecord(ingest.cases),
      look: async () => {
        sqliteAlerts.length = 0;
        sqliteWatch.check();
        return [[...sqliteAlerts]];
      },
    }, sqliteClock);
    ingest.close();

    const pgClock = { now: T0 };
    const { target } = await pg.database();
    const [a, b] = [await pg.pool(target), await pg.pool(target)];
    const raised: MonitorAlert[][] = [[], []];
    // Two processes' watches on one store; the first holds the lease.
    const watches = [a, b].map((pool, i) => startPgOfflineWatch({
      record: postgresRecord(pool, () => pgClock.now), held: () => i === 0, alerter: { notifyMonitor: (x) => raised[i]!.push(x) },
      offlineAfterMs: 60 * MIN, now: () => pgClock.now, intervalMs: 0,
    }));
    const onPostgres = await timeline({
      record: postgresRecord(a, () => pgClock.now),
      look: async () => {
        for (const r of raised) r.length = 0;
        await Promise.all(watches.map((w) => w.check()));
        return [[...raised[0]!], ...(raised[1]!.length > 0 ? [[...raised[1]!]] : [])];
      },
    }, pgClock);

    expect(onPostgres).toEqual(onSqlite);
    const kinds = (onSqlite as { raised: MonitorAlert[][] }[]).map((x) => x.raised[0]!.map((m) => `${m.kind} ${m.offlineMinutes}`));
    expect(kinds).toEqual([[], ['offline 61'], [], ['online 95'], ['offline 70'], []]);
    const rows = (await a.query<{ closed_by: string }>('SELECT closed_by FROM monitor_outages ORDER BY deployment_id, offline_since_ms')).rows;
    expect(rows).toEqual([{ closed_by: 'back-online' }, { closed_by: 'deployment-ended' }]);
  }, 60_000);
});
