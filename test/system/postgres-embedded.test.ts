/**
 * `earshot serve` on a new PostgreSQL store with its embedded broker (DESIGN
 * §8): the first start makes the installation's server key; `earshot device
 * add` on PostgreSQL provisions a monitor whose key is pinned at first use;
 * a real `earshot-device run` then has its levels stored, its messages
 * receipted, and the log verifies — across real processes.
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
  const s = await startLoggingServe(box, ['--mqtt-port', '0', '--http-port', '0'], /ingest service running on postgres:\/\/\S+ — devices: mqtt:\/\/127\.0\.0\.1:(\d+), health: (http:\/\/\S+\/readyz)/);
  children.push(s.child);
  return { child: s.child, mqttPort: Number(s.match[1]), readyz: s.match[2]! };
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
    await stop(device);
    await stop(serve.child);
    expect(cliOk(EARSHOT, ['log', 'verify', '--data-dir', box.dataDir], { cwd: box.dir })).toMatch(/^OK: \d+ leaves/m);
  }, 180_000);
});
