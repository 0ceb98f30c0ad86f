/**
 * `earshot serve` on a new PostgreSQL store with its embedded broker (DESIGN
 * §8): the first start makes the installation's server key; `earshot device
 * add` on PostgreSQL provisions a monitor whose key is pinned at first use;
 * a real `earshot-device run` then has its levels stored, its messages
 * receipted, and the log verifies — across real processes. And the officer's
 * commands on the same store: an account, a case and a deployment made with
 * `earshot user`, `case` and `deploy` on PostgreSQL reach the running service,
 * which publishes the deployment's config to the monitor and enters it in the
 * case's evidence.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { cliOk, EARSHOT, provisionDevice, type Sandbox, sandbox, slamWav, startDevice, startLoggingServe, stop } from './harness.ts';

let box: Sandbox;
let server: PostgresServer;
let db: pg.Client | null = null;
const children: ChildProcess[] = [];
let previousStore: string | undefined;

/** `earshot serve` on the store EARSHOT_STORE_URL names; its MQTT port and readiness URL from its stderr line. */
async function startServe(): Promise<{ child: ChildProcess; mqttPort: number; readyz: string }> {
  const s = await startLoggingServe(box, ['--mqtt-port', '0', '--http-port', '0'], /ingest service running on postgres:\/\/\S+ — devices: mqtt:\/\/127\.0\.0\.1:(\d+), officers: (http:\/\/\S+\/)/);
  children.push(s.child);
  return { child: s.child, mqttPort: Number(s.match[1]), readyz: `${s.match[2]!}readyz` };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  box = sandbox();
  server = await startPostgres();
  previousStore = process.env['EARSHOT_STORE_URL'];
  // Every command the test runs (serve, device add, the monitor's provisioning, log verify) on this store.
  process.env['EARSHOT_STORE_URL'] = await server.createDatabase('earshot_embedded');
}, 120_000);

afterAll(async () => {
  for (const c of children.splice(0)) await stop(c, 'SIGKILL');
  await db?.end().catch(() => undefined);
  if (previousStore === undefined) delete process.env['EARSHOT_STORE_URL'];
  else process.env['EARSHOT_STORE_URL'] = previousStore;
  await server?.stop();
  box?.cleanup();
}, 60_000);

describe('earshot serve on a new PostgreSQL store, embedded broker', () => {
  it('provisions a monitor on PostgreSQL, pins its key at first use, stores and receipts its levels', async () => {
    const serve = await startServe();
    expect((await fetch(serve.readyz)).status).toBe(200);
    slamWav(join(box.dir, 'room.wav'), 10, 5);
    const config = provisionDevice(box, 'flat-e', serve.mqttPort, join(box.dir, 'room.wav'));
    expect(cliOk(EARSHOT, ['device', 'list', '--data-dir', box.dataDir], { cwd: box.dir })).toMatch(/flat-e/);
    db = new pg.Client({ connectionString: process.env['EARSHOT_STORE_URL'] });
    await db.connect();
    const device = startDevice(config, box.dir);
    children.push(device);
    const q = async <T>(sql: string): Promise<T[]> => (await db!.query(sql)).rows as T[];
    // Added without a key: the first heartbeat presents it, and it is pinned.
    await until('key pinned', async () => (await q<{ k: string | null }>("SELECT public_key AS k FROM devices WHERE id = 'flat-e'"))[0]?.k != null);
    await until('levels stored', async () => Number((await q<{ n: string }>("SELECT count(*) AS n FROM levels WHERE device = 'flat-e'"))[0]!.n) >= 8);
    // The receipts' marks reach the store within a few seconds of the receipts themselves.
    await until('messages receipted', async () => Number((await q<{ s: string }>("SELECT stored AS s FROM receipt_marks WHERE device = 'flat-e'"))[0]?.s ?? -1) >= 1, 30_000);
    expect(await q("SELECT code FROM quarantine WHERE device = 'flat-e' AND released_at IS NULL")).toEqual([]);

    // The officer's side, on the same store, while the service runs.
    const dd = ['--data-dir', box.dataDir];
    expect(cliOk(EARSHOT, ['user', 'add', 'jsmith', '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer', '--password-stdin', ...dd], { cwd: box.dir, input: 'a long enough password\n' }))
      .toBe('User jsmith (officer) added.\n');
    const opened = cliOk(EARSHOT, ['case', 'open', '--category', 'high-risk', '--officer', 'jsmith', '--address', '4 Mill Lane', ...dd], { cwd: box.dir });
    const ref = /^Case (ASB-\d{4}-0001) opened \(high-risk\)/.exec(opened)?.[1];
    expect(ref, opened).toBeDefined();
    expect(cliOk(EARSHOT, ['deploy', 'start', '--case', ref!, '--device', 'flat-e', '--installed-by', 'jsmith', '--audio', 'button-only', ...dd], { cwd: box.dir }))
      .toMatch(new RegExp(`^Deployment 1: flat-e at case ${ref} from \\S+, audio button-only\\.`));
    // The service's config sync (a poll: another process made the deployment) publishes the monitor's config and logs it.
    await until('config published for the deployment', async () => {
      const rows = await q<{ config: string }>("SELECT config FROM device_config_history WHERE device = 'flat-e' ORDER BY version DESC LIMIT 1");
      return rows[0] !== undefined && (JSON.parse(rows[0].config) as { audio: { mode: string } }).audio.mode === 'button-only';
    }, 30_000);
    const caseLeaves = await q<{ kind: string }>(`SELECT convert_from(leaf, 'UTF8')::json->>'kind' AS kind FROM evidence_leaves WHERE convert_from(leaf, 'UTF8')::json->>'caseRef' = '${ref}' ORDER BY leaf_index`);
    // The opening and the installation, then the config and whatever the monitor sent since (its events attach to the case).
    expect(caseLeaves.map((l) => l.kind).slice(0, 2)).toEqual(['case', 'deployment']);
    expect(caseLeaves.map((l) => l.kind)).toContain('device-config');
    expect(cliOk(EARSHOT, ['case', 'show', ref!, ...dd], { cwd: box.dir })).toMatch(/^ASB-\d{4}-0001 {2}open {2}high-risk {2}officer jsmith\n/);
    // The resident's link, issued on the store, works on the running process: the diary page and an entry.
    const base = serve.readyz.replace(/\/readyz$/, '');
    const url = cliOk(EARSHOT, ['deploy', 'link', '--deployment', '1', '--base-url', base, ...dd], { cwd: box.dir }).trim();
    expect(url).toMatch(/\/r\/#[A-Za-z0-9_-]{43}$/);
    const auth = { authorization: `Bearer ${url.slice(url.indexOf('#') + 1)}` };
    expect((await fetch(`${base}/r/`)).status).toBe(200);
    expect(await (await fetch(`${base}/r/api/diary`, { headers: auth })).json()).toMatchObject({ entries: [] });
    const now = Date.now();
    const posted = await fetch(`${base}/r/api/entries`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'phone-entry-0001', writtenAt: new Date(now).toISOString(), startedAt: new Date(now - 600_000).toISOString(), heard: 'Bass music through the wall' }),
    });
    expect(posted.status).toBe(201);
    expect((await q<{ n: string }>(`SELECT count(*) AS n FROM diary_entries WHERE case_ref = '${ref}' AND source = 'resident'`))[0]!.n).toBe('1');
    expect(cliOk(EARSHOT, ['deploy', 'end', '--deployment', '1', '--removed-by', 'jsmith', ...dd], { cwd: box.dir })).toMatch(/^Deployment 1 ended /);
    expect(cliOk(EARSHOT, ['case', 'close', ref!, '--reason', 'monitoring finished', '--by', 'jsmith', ...dd], { cwd: box.dir })).toBe(`Case ${ref} closed.\n`);
    // The court bundle, from the store while the service runs; it verifies offline, and the export is in the record.
    const zip = cliOk(EARSHOT, ['bundle', 'export', ref!, '--out', box.dir, ...dd], { cwd: box.dir }).trim();
    expect(zip).toMatch(new RegExp(`${ref}_.*\\.zip$`));
    expect(cliOk(EARSHOT, ['verify', zip], { cwd: box.dir })).toMatch(/^OK/m);
    expect((await q<{ n: string }>(`SELECT count(*) AS n FROM access_log WHERE case_ref = '${ref}' AND action = 'export'`))[0]!.n).toBe('1');

    await stop(device);
    await stop(serve.child);
    expect(cliOk(EARSHOT, ['log', 'verify', '--data-dir', box.dataDir], { cwd: box.dir })).toMatch(/^OK: \d+ leaves/m);
  }, 180_000);
});
