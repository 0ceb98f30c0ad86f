/**
 * The fleet topology (DESIGN §8, issues 14 and 15) across real processes:
 * Debian's mosquitto configured by `earshot broker config mosquitto`, a real
 * PostgreSQL (test/support/postgres.ts), two `earshot serve` on that one store
 * and that one broker, and a real `earshot-device run` replaying a WAV through
 * a TCP proxy the test can cut. An embedded installation is set up first (the
 * device, a case, its deployment) and moved with `earshot store copy`, as a
 * landlord that outgrows one machine does.
 *
 * Then the ingest holding the run-once leases is killed with SIGKILL
 * mid-stream, the broker is restarted, and the device's network is cut: every
 * second of the recording must be stored exactly once, every event and clip
 * present, and `earshot log verify` must pass.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type Mosquitto, mosquitto } from '../support/mosquitto.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { cli, cliOk, EARSHOT, freePort, OFFICER, OFFICER_PASSWORD, openCaseWithDeployment, provisionDevice, type Sandbox, sandbox, slamWav, startDevice, startLoggingServe, stop, TEST_SETTINGS, waitFor } from './harness.ts';
import { type Proxy, startProxy } from './proxy.ts';
import { writeFileSync } from 'node:fs';

let box: Sandbox;
let broker: Mosquitto;
let server: PostgresServer;
let storeUrl: string;
let db: pg.Client;
let proxy: Proxy;
const children: ChildProcess[] = [];

interface Serve {
  readonly name: string;
  readonly child: ChildProcess;
  readonly http: string;
  log(): string;
}

/** `earshot serve` on the PostgreSQL store, consuming the shared subscription under its own broker session. */
async function startServe(name: string, httpPort: number): Promise<Serve> {
  const s = await startLoggingServe(box, ['--http-port', String(httpPort)], /ingest service running on postgres:\/\/\S+ — devices: (mqtt:\/\/\S+), officers: (http:\/\/\S+\/)/,
    { EARSHOT_STORE_URL: storeUrl, EARSHOT_BROKER_CLIENT_ID: `earshot-ingest-${name}` });
  children.push(s.child);
  return { name, child: s.child, http: s.match[2]!, log: s.stdout };
}

async function readyz(s: Serve): Promise<number> {
  try {
    return (await fetch(`${s.http}readyz`)).status;
  } catch {
    return 0;
  }
}

async function waitReady(s: Serve, timeoutMs = 30_000): Promise<void> {
  await waitForAsync(`${s.name} ready`, async () => (await readyz(s)) === 200, timeoutMs);
}

async function waitForAsync(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The leases a process took, in order, from its log ("lease held" lines). */
function leasesOf(s: Serve): string[] {
  return s.log().split('\n').filter((l) => l.includes('"lease held')).map((l) => (JSON.parse(l) as { role: string }).role);
}

const rows = async <T>(sql: string, values: unknown[] = []): Promise<T[]> => (await db.query(sql, values)).rows as T[];
const seqsOf = async (id: string): Promise<number[]> => (await rows<{ seq: number }>('SELECT seq FROM messages WHERE device = $1 ORDER BY seq', [id])).map((r) => Number(r.seq));
const secondsOf = async (id: string): Promise<number[]> => (await rows<{ t: string }>('SELECT t FROM levels WHERE device = $1 ORDER BY t', [id])).map((r) => Number(r.t));

beforeAll(async () => {
  box = sandbox();
  [broker, server] = await Promise.all([mosquitto(box.dir), startPostgres()]);
  writeFileSync(box.settings, JSON.stringify({
    ...TEST_SETTINGS,
    mqtt: { host: '127.0.0.1', port: 0, brokerUrl: broker.url, brokerAccountFile: broker.accountFile },
  }));
  storeUrl = await server.createDatabase('earshot_fleet');
  proxy = await startProxy(broker.port);
}, 120_000);

afterAll(async () => {
  for (const c of children.splice(0)) await stop(c, 'SIGKILL');
  await db?.end().catch(() => undefined);
  await proxy?.close();
  await broker?.stop();
  await server?.stop();
  box?.cleanup();
}, 60_000);

describe('two earshot serve on one PostgreSQL store and one mosquitto', () => {
  it('store every second once through an ingest killed, a broker restart and a network cut; the log verifies', async () => {
    const seen: Serve[] = [];
    let deviceErr = '';
    onTestFailed(() => {
      // What the processes said, to read the failure by: warnings and errors of each ingest, and the monitor's stderr.
      for (const s of seen) console.error(`--- ${s.name}\n${s.log().split('\n').filter((l) => /"level":(40|50|60)/.test(l)).slice(-20).join('\n')}`);
      console.error(`--- device\n${deviceErr.slice(-3_000)}`);
    });
    // The embedded installation: the monitor (its broker account made by `device add`), a case and its deployment.
    slamWav(join(box.dir, 'room.wav'), 10, 5);
    const config = provisionDevice(box, 'flat-1', proxy.port, join(box.dir, 'room.wav'));
    const ref = openCaseWithDeployment(box, 'flat-1');
    const copy = cli(EARSHOT, ['store', 'copy', '--from', box.dataDir, '--to', storeUrl], { cwd: box.dir });
    expect([copy.code, copy.err]).toEqual([0, '']);
    db = new pg.Client({ connectionString: storeUrl });
    await db.connect();

    const [httpA, httpB] = [await freePort(), await freePort()];
    let a = await startServe('a', httpA);
    seen.push(a);
    await waitReady(a);
    const b = await startServe('b', httpB);
    seen.push(b);
    await waitReady(b);
    // The run-once jobs are held by the first process only.
    expect(leasesOf(a).sort()).toEqual(['config-sync', 'level-blocks', 'offline-alerts', 'retention', 'tree-heads']);
    expect(leasesOf(b)).toEqual([]);
    // The retention purge runs once, by its lease's holder.
    await waitFor('retention purge ran', () => a.log().includes('"retention purge ran"'), 30_000);
    expect(b.log()).not.toContain('"retention purge ran"');
    // The officer web view runs on every process, statelessly: a session made on one is good on the other.
    expect((await fetch(a.http)).status).toBe(200);
    const login = await fetch(`${a.http}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: OFFICER, password: OFFICER_PASSWORD }) });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    const casePage = await fetch(`${b.http}api/cases/${ref}`, { headers: auth });
    expect(casePage.status).toBe(200);
    expect(((await casePage.json()) as { deployments: { deviceId: string }[] }).deployments.map((d) => d.deviceId)).toEqual(['flat-1']);

    // The deployment's config (audio on events) reaches the monitor through the broker, from the lease holder.
    await waitFor('config published', () => a.log().includes('"device config published"'), 30_000);
    const device = startDevice(config, box.dir);
    device.stderr!.setEncoding('utf8').on('data', (x: string) => { deviceErr += x; });
    children.push(device);
    await waitForAsync('levels stored', async () => (await secondsOf('flat-1')).length >= 15, 90_000);

    // The lease holder killed mid-stream: the other takes the leases over; the broker redelivers what was unacknowledged.
    await stop(a.child, 'SIGKILL');
    await waitFor('leases taken over', () => leasesOf(b).length === 5, 30_000);
    expect(leasesOf(b).sort()).toEqual(['config-sync', 'level-blocks', 'offline-alerts', 'retention', 'tree-heads']);
    const afterKill = Date.now();
    await waitForAsync('records stored after the kill', async () => (await secondsOf('flat-1')).some((t) => t > afterKill), 60_000);

    // The broker restarted (without persistence: what it held is gone, and the monitor sends it again).
    await broker.stop();
    await waitForAsync('b not ready while the broker is down', async () => (await readyz(b)) === 503, 15_000);
    await new Promise((r) => setTimeout(r, 2_000));
    await broker.start();
    await waitReady(b, 30_000);
    a = await startServe('a', httpA);
    seen.push(a);
    await waitReady(a);

    // The monitor's network cut for 10 s: it keeps measuring into its journal and sends it all once back.
    proxy.cut();
    await new Promise((r) => setTimeout(r, 10_000));
    proxy.restore();
    const afterCut = Date.now();
    await waitForAsync('records measured after the cut', async () => (await secondsOf('flat-1')).some((t) => t > afterCut + 5_000), 90_000);

    // Every seq exactly once (the ledger's key), none missing: the monitor resends what no receipt covered.
    await waitForAsync('every message of the monitor stored', async () => (await seqsOf('flat-1')).every((q, i) => q === i), 200_000);
    await stop(device);
    await waitForAsync('the monitor\'s last messages stored', async () => (await seqsOf('flat-1')).every((q, i) => q === i), 60_000);
    const seqs = await seqsOf('flat-1');
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const s = await secondsOf('flat-1');
    expect(new Set(s).size).toBe(s.length);
    for (let i = 1; i < s.length; i++) expect(s[i]! - s[i - 1]!, `gap after record ${i - 1}`).toBeLessThan(1_500);
    expect(await rows('SELECT device FROM quarantine WHERE device = $1', ['flat-1'])).toEqual([]);

    // Every event and clip: the door slams fired the rule; each event attached to the case, each clip whole in the store.
    const events = await rows<{ case_ref: string | null }>("SELECT case_ref FROM events WHERE device = $1 AND kind = 'started'", ['flat-1']);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.case_ref === ref)).toBe(true);
    const eventMessages = await rows<{ n: string }>("SELECT count(*) AS n FROM messages WHERE device = $1 AND type = 'event'", ['flat-1']);
    expect(Number((await rows<{ n: string }>('SELECT count(*) AS n FROM events WHERE device = $1', ['flat-1']))[0]!.n)).toBe(Number(eventMessages[0]!.n));
    await waitForAsync('every clip reassembled', async () => (await rows("SELECT clip_id FROM clips WHERE device = $1 AND state <> 'complete'", ['flat-1'])).length === 0, 60_000);
    const clips = await rows<{ file: string | null }>('SELECT c.file FROM clips c WHERE c.device = $1', ['flat-1']);
    expect(clips.length).toBeGreaterThan(0);
    const files = await rows<{ file: string }>('SELECT file FROM clip_files');
    for (const c of clips) expect(files.map((f) => f.file)).toContain(c.file);

    // The timeline from the process that did not make the session, and a clip through a link it signed, served by the other.
    const from = new Date(s[0]! - 60_000).toISOString();
    const to = new Date(s.at(-1)! + 60_000).toISOString();
    const timeline = await fetch(`${b.http}api/cases/${ref}/timeline?from=${from}&to=${to}&width=600`, { headers: auth });
    expect(timeline.status).toBe(200);
    const tl = (await timeline.json()) as { levels: { deviceId: string; seconds: number[] }[]; clips: { url: string | null }[] };
    expect(tl.levels.map((l) => l.deviceId)).toEqual(['flat-1']);
    expect(tl.levels[0]!.seconds.reduce((x, y) => x + y, 0)).toBeGreaterThan(0.9 * s.length);
    const link = tl.clips.find((c) => c.url !== null)!.url!;
    const wav = await fetch(new URL(link, a.http));
    expect([wav.status, wav.headers.get('content-type')]).toEqual([200, 'audio/wav']);
    expect(Buffer.from(await wav.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('RIFF');

    // A monitor added in one process's browser and disabled in the other's: its mosquitto account made in the
    // request (the secret exists only there), refused within 5 s of the disable.
    spawnOk(['user', 'add', 'root', '--data-dir', box.dataDir, '--name', 'Ada Admin', '--initials', 'AA', '--role', 'admin', '--password-stdin'], 'an admin password of length\n');
    const adminLogin = await fetch(`${a.http}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'an admin password of length' }) });
    const admin = { authorization: `Bearer ${((await adminLogin.json()) as { token: string }).token}`, 'content-type': 'application/json' };
    const added = await fetch(`${a.http}api/admin/devices`, { method: 'POST', headers: admin, body: JSON.stringify({ deviceId: 'flat-web' }) });
    expect(added.status).toBe(201);
    const { secret } = JSON.parse(((await added.json()) as { details: string }).details) as { secret: string };
    const web = await mqtt.connectAsync(broker.url, { clientId: 'flat-web', username: 'flat-web', password: secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 }, false);
    const cut = new Promise<number>((resolve) => web.once('close', () => resolve(Date.now())));
    const offAt = Date.now();
    const off = await fetch(`${b.http}api/admin/devices/flat-web/enabled`, { method: 'POST', headers: admin, body: JSON.stringify({ enabled: false }) });
    expect(off.status).toBe(200);
    expect(await Promise.race([cut, new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 20_000))]) - offAt).toBeLessThan(5_000);
    await expect(mqtt.connectAsync(broker.url, { clientId: 'flat-web', username: 'flat-web', password: secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 }, false)).rejects.toThrow();

    await stop(a.child);
    await stop(b.child);
    const verify = spawnOk(['log', 'verify', '--data-dir', box.dataDir]);
    expect(verify).toMatch(/^OK: \d+ leaves/m);
  }, 600_000);
});

/** An earshot command on the PostgreSQL store. */
function spawnOk(args: string[], input?: string): string {
  const prev = process.env['EARSHOT_STORE_URL'];
  process.env['EARSHOT_STORE_URL'] = storeUrl;
  try {
    return cliOk(EARSHOT, args, { cwd: box.dir, ...(input === undefined ? {} : { input }) });
  } finally {
    if (prev === undefined) delete process.env['EARSHOT_STORE_URL'];
    else process.env['EARSHOT_STORE_URL'] = prev;
  }
}
