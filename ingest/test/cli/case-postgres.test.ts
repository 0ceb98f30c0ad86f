/**
 * `earshot user`, `case` and `deploy` on PostgreSQL (EARSHOT_STORE_URL set), called in this process as the
 * command line calls them: the same lines as on SQLite, the same refusals with the same codes, the rows in
 * PostgreSQL and no SQLite file made. A real PostgreSQL.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caseCommands } from '../../src/cli/case.ts';
import { deployCommands } from '../../src/cli/deploy.ts';
import { userCommands } from '../../src/cli/user.ts';
import { usePostgres } from '../storage/pg-fixture.ts';
import { storeCommands } from './store-commands.ts';

const fx = usePostgres();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const command = storeCommands({ case: caseCommands, deploy: deployCommands, user: userCommands });

/** Its lines, with what differs between two runs masked: times, and a diary link's token. */
async function earshot(url: string | undefined, dir: string, group: string, sub: string, ...args: string[]): Promise<string[]> {
  return (await command(url, dir, group, sub, ...args))
    .map((l) => l.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME').replace(/\d{4}-\d\d-\d\d/g, 'DATE').replace(/\/r\/#[A-Za-z0-9_-]{43}$/, '/r/#TOKEN'));
}

async function session(url: string | undefined, dir: string): Promise<string[][]> {
  const run = (group: string, sub: string, ...args: string[]): Promise<string[]> => earshot(url, dir, group, sub, ...args);
  const year = new Date().getUTCFullYear();
  return [
    await run('user', 'add', 'jsmith', '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer', '--password-stdin'),
    await run('user', 'add', 'jsmith', '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer', '--password-stdin'),
    await run('user', 'list'),
    await run('case', 'open', '--category', 'general', '--officer', 'Jo Smith', '--address', '1 High Street'),
    await run('case', 'open', '--category', 'general', '--officer', 'jsmith', '--address', '1 High Street'),
    await run('case', 'open', '--category', 'high-risk', '--officer', 'jsmith', '--address', '2 High Street', '--complainant-name', 'A Resident', '--complainant-contact', '07700 900123'),
    await run('case', 'categorise', `ASB-${year}-0001`, '--category', 'high-risk', '--reason', 'threats made', '--by', 'jsmith'),
    await run('deploy', 'start', '--case', `ASB-${year}-0001`, '--device', 'mon-0001', '--installed-by', 'jsmith', '--room', 'back bedroom', '--reading', '94.1', '--full-scale-db', '120.3'),
    await run('deploy', 'start', '--case', `ASB-${year}-0002`, '--device', 'mon-0001', '--installed-by', 'jsmith'),
    await run('case', 'close', `ASB-${year}-0001`, '--reason', 'resolved', '--by', 'jsmith'),
    await run('deploy', 'list', '--device', 'mon-0001'),
    await run('deploy', 'end', '--deployment', '1', '--removed-by', 'jsmith'),
    await run('case', 'close', `ASB-${year}-0001`, '--reason', 'resolved', '--by', 'jsmith'),
    await run('case', 'reopen', `ASB-${year}-0001`, '--reason', 'noise again', '--by', 'jsmith'),
    await run('case', 'list'),
    await run('case', 'show', `ASB-${year}-0002`, '--complainant'),
    await run('case', 'show', `ASB-${year}-0404`),
    await run('deploy', 'start', '--case', `ASB-${year}-0002`, '--device', 'mon-0002', '--installed-by', 'jsmith'),
    await run('deploy', 'link', '--deployment', '2', '--base-url', 'https://earshot.example.org'),
    await run('deploy', 'link', '--deployment', '2', '--revoke', '--by', 'jsmith'),
    await run('deploy', 'link', '--deployment', '2', '--revoke', '--by', 'jsmith'),
    await run('deploy', 'link', '--deployment', '1', '--base-url', 'https://earshot.example.org'),
  ];
}

describe('earshot user, case and deploy on PostgreSQL', () => {
  it('say the same as on SQLite, refuse alike, and keep their rows in PostgreSQL', async () => {
    const { url } = await fx.database();
    const pgDir = mkdtempSync(join(tmpdir(), 'earshot-case-pg-'));
    const liteDir = mkdtempSync(join(tmpdir(), 'earshot-case-lite-'));
    dirs.push(pgDir, liteDir);
    const onPostgres = await session(url, pgDir);
    const onSqlite = await session(undefined, liteDir);
    expect(onPostgres).toEqual(onSqlite);
    expect(existsSync(join(pgDir, 'earshot.db'))).toBe(false);
    const year = new Date().getUTCFullYear();
    expect(onPostgres[1]).toEqual(['refused EARSHOT_E_USER_EXISTS']);
    expect(onPostgres[3]).toEqual(['refused EARSHOT_E_CASE_OFFICER_UNKNOWN']);
    expect(onPostgres[4]![0]).toBe(`Case ASB-${year}-0001 opened (general); first contact due by TIME.`);
    expect(onPostgres[8]).toEqual(['refused EARSHOT_E_DEPLOYMENT_OVERLAP']);
    expect(onPostgres[9]).toEqual(['refused EARSHOT_E_CASE_DEVICE_DEPLOYED']);
    expect(onPostgres[12]).toEqual([`Case ASB-${year}-0001 closed.`, 'exit 0']);
    expect(onPostgres[15]).toContain('complainant: A Resident, 07700 900123');
    expect(onPostgres[16]).toEqual(['refused EARSHOT_E_CASE_NOT_FOUND']);
    const pool = await fx.pool((await import('../../src/storage/store-url.ts')).parseStoreUrl(url) as never);
    const counts = (await pool.query<{ cases: number; deployments: number; leaves: number }>(
      'SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM deployments) AS deployments, (SELECT count(*) FROM evidence_leaves) AS leaves',
    )).rows[0];
    expect(onPostgres[18]).toEqual(['https://earshot.example.org/r/#TOKEN', 'exit 0']);
    expect(onPostgres[19]).toEqual(['Diary link withdrawn for deployment 2: it no longer works.', 'exit 0']);
    expect(onPostgres[20]).toEqual(['Deployment 2 had no live diary link.', 'exit 0']);
    expect(onPostgres[21]).toEqual(['refused EARSHOT_E_RESIDENT_LINK_UNAVAILABLE']);
    expect(counts).toEqual({ cases: 2, deployments: 2, leaves: 11 });
    const links = (await pool.query<{ revoked_by: string | null }>('SELECT revoked_by FROM resident_links ORDER BY id')).rows;
    expect(links).toEqual([{ revoked_by: 'jsmith' }]);
  }, 60_000);
});
