/**
 * The record port (storage/record/) on both stores: the same operations, run on a SQLite data folder and on
 * PostgreSQL with the same clock, give the same answers, refuse alike with the same codes, and write the same
 * evidence leaves. And on PostgreSQL, writers from several pools are serialised like SQLite's.
 */
import { describe, expect, it } from 'vitest';
import { openAssignedCaseSteps } from '../../src/cases/assigned-officer.ts';
import { listCasesSteps, showCaseSteps } from '../../src/cases/case-queries.ts';
import { categoriseCaseSteps, changeCaseStatusSteps, reassignCaseSteps } from '../../src/cases/cases.ts';
import { endDeploymentSteps, listDeploymentsSteps, startDeploymentSteps } from '../../src/cases/deployments.ts';
import { postgresEvidenceLog } from '../../src/storage/postgres/evidence-log.ts';
import { postgresRecord } from '../../src/storage/record/postgres-record.ts';
import { run } from '../../src/storage/record/steps.ts';
import { accountsSteps, addAccount } from '../../src/users/account-steps.ts';
import { type OpenedStore, attempt, bothStores, refusalsOf, runOnBoth, type testClock } from './both-stores.ts';
import { usePostgres } from './pg-fixture.ts';

const pg = usePostgres();
const stores = bothStores(pg);
const CHEAP = { N: 1024, r: 8, p: 1 };
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
/** One officer's week of a case, as the commands and the web view make it, with every refusal on the way. */
async function scenario(o: OpenedStore, c: ReturnType<typeof testClock>): Promise<unknown[]> {
  const r = o.record;
  const out: unknown[] = [];
  out.push(await addAccount(r, { username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'a long enough password' }, CHEAP));
  out.push(await addAccount(r, { username: 'akhan', displayName: 'Asha Khan', initials: 'AK', role: 'supervisor', password: 'a long enough password' }, CHEAP));
  out.push(await attempt(r, (function* () {
    return yield* accountsSteps();
  })(), false));
  out.push(await attempt(r, openAssignedCaseSteps({ category: 'general', officer: 'Jo Smith', address: '1 High Street' }, r.now())));
  out.push(await attempt(r, openAssignedCaseSteps({ category: 'general', officer: 'jsmith', address: '1 High Street', complainant: { name: 'A Resident', contact: '07700 900123' } }, r.now())));
  c.advance(60_000);
  out.push(await attempt(r, openAssignedCaseSteps({ category: 'high-risk', officer: 'akhan', address: '2 High Street' }, r.now())));
  out.push(await attempt(r, openAssignedCaseSteps({ ref: 'ASB-2026-0001', category: 'general', officer: 'jsmith', address: '3 High Street' }, r.now())));
  out.push(await attempt(r, categoriseCaseSteps({ ref: 'ASB-2026-0001', category: 'high-risk', reason: 'threats made', by: 'akhan' }, r.now())));
  out.push(await attempt(r, reassignCaseSteps({ ref: 'ASB-2026-0002', officer: 'jsmith', reason: 'caseload', by: 'akhan' }, r.now())));
  const equipment = { monitorModel: 'Earshot Pi 4', micClass: '1', room: 'back bedroom', heightM: 1.5 };
  out.push(await attempt(r, startDeploymentSteps({
    caseRef: 'ASB-2026-0001', deviceId: 'mon-0001', installedBy: 'jsmith', audioMode: 'on-event', equipment,
    calibration: { readingDb: 94.1, fullScaleDb: 120.3 },
  }, r.now())));
  out.push(await attempt(r, startDeploymentSteps({ caseRef: 'ASB-2026-0002', deviceId: 'mon-0001', installedBy: 'jsmith', audioMode: 'off' }, r.now())));
  out.push(await attempt(r, startDeploymentSteps({ caseRef: 'ASB-2026-0009', deviceId: 'mon-0002', installedBy: 'jsmith', audioMode: 'off' }, r.now())));
  out.push(await attempt(r, changeCaseStatusSteps({ ref: 'ASB-2026-0001', status: 'closed', reason: 'resolved', by: 'jsmith' }, r.now())));
  c.advance(7 * 86_400_000);
  out.push(await attempt(r, endDeploymentSteps({ deploymentId: 1, removedBy: 'jsmith', calibration: { readingDb: 93.9, fullScaleDb: 120.3 } }, r.now())));
  out.push(await attempt(r, endDeploymentSteps({ deploymentId: 1, removedBy: 'jsmith' }, r.now())));
  out.push(await attempt(r, changeCaseStatusSteps({ ref: 'ASB-2026-0001', status: 'closed', reason: 'resolved', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, categoriseCaseSteps({ ref: 'ASB-2026-0001', category: 'general', reason: 'no longer', by: 'akhan' }, r.now())));
  out.push(await attempt(r, changeCaseStatusSteps({ ref: 'ASB-2026-0001', status: 'open', reason: 'noise again', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, listCasesSteps({ status: 'open' }), false));
  out.push(await attempt(r, listCasesSteps({ officer: 'akhan' }), false));
  out.push(await attempt(r, showCaseSteps('ASB-2026-0001', { includeComplainant: true }), false));
  out.push(await attempt(r, showCaseSteps('ASB-2026-0404'), false));
  out.push(await attempt(r, listDeploymentsSteps({ deviceId: 'mon-0001' }), false));
  // A reading operation can neither append nor write a row.
  out.push(await attempt(r, changeCaseStatusSteps({ ref: 'ASB-2026-0002', status: 'inactive', reason: 'no contact', by: 'jsmith' }, r.now()), false));
  out.push(await attempt(r, (function* () {
    return yield* run("UPDATE cases SET officer = 'akhan' WHERE ref = 'ASB-2026-0002'");
  })(), false));
  out.push(await attempt(r, showCaseSteps('ASB-2026-0002'), false));
  return out;
}

describe('the record port on both stores', () => {
  it('gives the same answers, refusals and evidence leaves on SQLite and on PostgreSQL', async () => {
    const { onSqlite, onPostgres, sqliteLeaves, postgresLeaves } = await runOnBoth(stores, T0, scenario);
    expect(onPostgres).toEqual(onSqlite);
    // The scenario did what it says: spot checks of the answers, so two stores wrong alike still fail.
    const refusals = refusalsOf(onSqlite);
    expect(refusals).toEqual([
      'EARSHOT_E_CASE_OFFICER_UNKNOWN', 'EARSHOT_E_CASE_EXISTS', 'EARSHOT_E_DEPLOYMENT_OVERLAP', 'EARSHOT_E_CASE_NOT_FOUND',
      'EARSHOT_E_CASE_DEVICE_DEPLOYED', 'EARSHOT_E_DEPLOYMENT_INVALID', 'EARSHOT_E_CASE_STATUS', 'EARSHOT_E_CASE_NOT_FOUND', 'EARSHOT_E_INTERNAL',
      'EARSHOT_E_INTERNAL',
    ]);
    expect((onSqlite.at(-1) as { officer: string }).officer).toBe('jsmith');
    const opened = onSqlite.filter((x) => (x as { ref?: string }).ref !== undefined && (x as { history?: unknown }).history === undefined).map((x) => (x as { ref: string }).ref);
    expect(opened.slice(0, 2)).toEqual(['ASB-2026-0001', 'ASB-2026-0002']);
    const shown = onSqlite[20] as { complainant: unknown; history: { action: string }[] };
    expect(shown.complainant).toEqual({ name: 'A Resident', contact: '07700 900123' });
    expect(shown.history.map((h) => h.action)).toEqual(['opened', 'categorised', 'closed', 'reopened']);
    const [deployment] = onSqlite[22] as { removedAt: string; install: { deviationDb: number }; equipment: unknown }[];
    expect(deployment).toMatchObject({ removedAt: '2026-03-09T09:01:00.000Z', install: { deviationDb: 0.1 }, equipment: { room: 'back bedroom', heightM: 1.5 } });
    const leaves = sqliteLeaves;
    expect(postgresLeaves).toEqual(leaves);
    expect(leaves.map((l) => (l as { kind: string }).kind)).toEqual([
      'case', 'case', 'case', 'case', 'deployment', 'calibration', 'deployment', 'calibration', 'case', 'case',
    ]);
  }, 60_000);

  it('serialises writers from several pools on PostgreSQL: cases opened at once get distinct references', async () => {
    const { target } = await pg.database();
    const pools = await Promise.all([pg.pool(target, 2), pg.pool(target, 2), pg.pool(target, 2)]);
    const records = pools.map((p) => postgresRecord(p, () => T0));
    await addAccount(records[0]!, { username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'a long enough password' }, CHEAP);
    const opened = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      records[i % 3]!.write(openAssignedCaseSteps({ category: 'general', officer: 'jsmith', address: `${i + 1} Mill Lane` }, T0))));
    expect(opened.map((c) => c.ref).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `ASB-2026-${String(i + 1).padStart(4, '0')}`));
    // The same device deployed at once from two processes: one deployment, one refusal.
    const both = await Promise.allSettled([0, 1].map((i) =>
      records[i]!.write(startDeploymentSteps({ caseRef: opened[i]!.ref, deviceId: 'mon-0001', installedBy: 'jsmith', audioMode: 'off' }, T0))));
    expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((b) => b.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('EARSHOT_E_DEPLOYMENT_OVERLAP');
    expect(await postgresEvidenceLog(pools[0]!).size()).toBe(13);
  }, 60_000);
});
