/**
 * Issue 15 fleet figures: 10,000 simulated devices through Debian's mosquitto
 * into PostgreSQL, with 1 and then 2 `earshot serve` ingest processes
 * consuming the shared subscription (docs/fleet.md), each device sending a
 * signed batch of ten 1 s level records every 10 s, a heartbeat every 60 s
 * and, for 1 in 50 devices a minute, an event (the traffic of
 * bench/ingest-load.ts). For each step: messages/s offered and stored,
 * publish → stored p50/p99 (stored = the COMMIT, reported by a trigger's
 * notification: cluster-load/store.ts), loss (rows in `messages` against
 * messages sent), CPU per stored message of the ingest processes, of
 * PostgreSQL and of mosquitto; then the scaling from 1 to 2, the bottleneck on
 * this machine and the per-core cost projected to a larger one.
 *
 * Each step starts clean: a fresh mosquitto (no sessions or queues left), a
 * fresh database, fresh ingest processes. PostgreSQL runs with fsync on. The
 * load generator (every device's mqtt client from its own 127/8 address,
 * payloads signed before the window) is this process, outside the measured ones.
 * Run: npm run bench cluster-load   (EARSHOT_BENCH_QUICK=1: 200 devices, 10 s windows; EARSHOT_BENCH_DEVICES=N: N devices)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PostgresServer, binDir, startPostgres } from '../test/support/postgres.ts';
import { POSTGRES_CONNECTIONS } from '../ingest/src/broker-client/target.ts';
import { loadOrCreateServerKey } from '../ingest/src/evidence/server-key.ts';
import { makeFleet, planWindow, type SimDevice } from './ingest-load/fleet.ts';
import { connectUpTo, emptyFleet } from './ingest-load/load.ts';
import { openFilesSoft, raiseOpenFiles } from './ingest-load/peers.ts';
import { type Broker, MOSQUITTO, startBroker } from './cluster-load/broker.ts';
import { childrenNamed, machineCpu, treeCpuSeconds } from './cluster-load/cpu.ts';
import { type IngestFleet, startIngests } from './cluster-load/ingests.ts';
import { bottleneckLine, type CpuSplit, projectionLine, scalingLine, type StepFigures, stepLine } from './cluster-load/report.ts';
import { listenStored, type StepStore, stepStore } from './cluster-load/store.ts';
import { runWindow, StoredWatch } from './cluster-load/window.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env['EARSHOT_BENCH_QUICK'] === '1';
/** Issue 15: 10,000 devices (EARSHOT_BENCH_DEVICES=N for another fleet, e.g. on a larger machine). */
const DEVICES = Number(process.env['EARSHOT_BENCH_DEVICES'] ?? (QUICK ? 200 : 10_000));
/** Issue 4: sustained for at least 60 s per step. */
const WINDOW_MS = QUICK ? 10_000 : 60_000;
const INGEST_STEPS = [1, 2];
/** Before each window, everything connected and silent: each part's idle CPU (timers, probes, leases, keepalives). */
const IDLE_MS = 5_000;
/** Files this process holds besides the devices' sockets (the database, logs, the tsx loader); mosquitto inherits the limit. */
const SPARE_FILES = 1_024;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');

function versions(): string {
  const m = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8' });
  const mv = /mosquitto version (\S+)/.exec(m.stdout + m.stderr)?.[1] ?? 'unknown';
  const p = spawnSync(join(binDir(), 'postgres'), ['--version'], { encoding: 'utf8' });
  return `mosquitto ${mv}, ${p.stdout.trim()}`;
}

interface Pids {
  ingests: number[];
  postmaster: number;
  mosquitto: number;
}

function cpuNow(p: Pids): CpuSplit {
  const own = process.cpuUsage();
  return {
    ingest: p.ingests.map(treeCpuSeconds),
    postgres: treeCpuSeconds(p.postmaster),
    mosquitto: treeCpuSeconds(p.mosquitto),
    generator: (own.user + own.system) / 1e6,
    machine: machineCpu().busy,
  };
}

const minus = (a: CpuSplit, b: CpuSplit): CpuSplit => ({
  ingest: a.ingest.map((x, i) => x - b.ingest[i]!),
  postgres: a.postgres - b.postgres,
  mosquitto: a.mosquitto - b.mosquitto,
  generator: a.generator - b.generator,
  machine: a.machine - b.machine,
});

/** One step: a fresh broker, database and `ingests` processes; the fleet connected; one measured window. */
async function step(work: string, server: PostgresServer, postmaster: number, devices: readonly SimDevice[], ingests: number, index: number): Promise<StepFigures> {
  const dir = join(work, `step-${ingests}`);
  mkdirSync(dir);
  // The installation's server key, made before its devices are registered (as `earshot device add` on a new store
  // does): a store that holds devices refuses a process without it (storage/postgres/server-key-for-store.ts).
  mkdirSync(join(dir, 'data', 'keys'), { recursive: true, mode: 0o700 });
  loadOrCreateServerKey(join(dir, 'data', 'keys'));
  const fleet = emptyFleet();
  let broker: Broker | null = null;
  let store: StepStore | null = null;
  let listener: { close(): Promise<void> } | null = null;
  let servers: IngestFleet | null = null;
  try {
    broker = await startBroker(dir);
    store = await stepStore(server, `earshot_cluster_${ingests}`, devices);
    const s0 = performance.now();
    servers = await startIngests({ root: ROOT, dir, storeUrl: store.url, brokerUrl: broker.url, accountFile: broker.accountFile, count: ingests });
    console.log(`  ${ingests} earshot serve ready in ${((performance.now() - s0) / 1000).toFixed(1)} s (store ${store.name}, ${fmt(devices.length)} devices registered, ${POSTGRES_CONNECTIONS} broker sessions each)`);
    const c0 = performance.now();
    await connectUpTo(fleet, devices, devices.length, broker.port, 'no-password-file');
    const connectS = (performance.now() - c0) / 1000;
    console.log(`  connected ${fmt(devices.length)} devices to mosquitto in ${connectS.toFixed(1)} s (${fmt(devices.length / connectS)}/s)`);
    const plan = planWindow(devices, devices.length, WINDOW_MS, Date.now() + 1_000, index);
    const watch = new StoredWatch(plan, devices.map((d) => d.id));
    listener = await listenStored(store.url, (pairs) => watch.onPairs(pairs));
    const pids: Pids = { ingests: servers.processes.map((p) => p.pid), postmaster, mosquitto: broker.pid };
    const idle0 = cpuNow(pids);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const cpu0 = cpuNow(pids);
    const t0 = performance.now();
    let cpu1 = cpu0;
    let load = 0;
    const run = await runWindow(fleet, plan, WINDOW_MS, watch, () => {
      cpu1 = cpuNow(pids);
      load = loadavg()[0]!;
    });
    const cpu2 = cpuNow(pids);
    const spanS = (performance.now() - t0) / 1000;
    return {
      ...run,
      ingests,
      devices: devices.length,
      windowS: WINDOW_MS / 1000,
      rows: await store.stored(),
      quarantined: await store.quarantined(),
      inWindow: minus(cpu1, cpu0),
      total: minus(cpu2, cpu0),
      idle: minus(cpu0, idle0),
      idleS: IDLE_MS / 1000,
      spanS,
      strangers: watch.strangers,
      load,
      cores: availableParallelism(),
      sessions: POSTGRES_CONNECTIONS,
      dropped: fleet.dropped.n,
    };
  } finally {
    await listener?.close();
    await fleet.end();
    await servers?.stop();
    await broker?.stop();
    await store?.close();
  }
}

if (!(Number.isInteger(DEVICES) && DEVICES > 0)) throw new Error(`EARSHOT_BENCH_DEVICES=${process.env['EARSHOT_BENCH_DEVICES']}: give a number of devices`);
if (!existsSync(MOSQUITTO) || !existsSync('/usr/lib/postgresql')) {
  console.log(`cluster load skipped: needs Debian's mosquitto (${MOSQUITTO}) and PostgreSQL (apt-get install mosquitto postgresql)`);
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'earshot-cluster-'));
// Traversable by mosquitto's own account (cluster-load/broker.ts); nothing secret is kept here but the bench's own key.
chmodSync(work, 0o755);
let server: PostgresServer | null = null;
try {
  // Each device holds a socket here and one in mosquitto (which inherits this limit): the usual 1,024 is too few.
  const limits = raiseOpenFiles(DEVICES + SPARE_FILES);
  if (openFilesSoft() < DEVICES + SPARE_FILES) throw new Error(`${fmt(DEVICES)} devices need ${fmt(DEVICES + SPARE_FILES)} open files: ${limits}`);
  console.log(`cluster load: ${availableParallelism()} cores; ${versions()} (fsync on); ${limits}; `
    + `${fmt(DEVICES)} devices (each from its own 127/8 address) in this process, mosquitto, PostgreSQL and each earshot serve in its own; `
    + `${WINDOW_MS / 1000} s per step${QUICK ? ' (quick mode)' : ''}; stored = the COMMIT, from a trigger's NOTIFY`);
  const k0 = performance.now();
  const devices = makeFleet(DEVICES);
  console.log(`  ${fmt(DEVICES)} device keys made in ${((performance.now() - k0) / 1000).toFixed(1)} s`);
  server = await startPostgres({ fsync: true });
  const postmasters = childrenNamed('postgres');
  if (postmasters.length !== 1) throw new Error(`expected one postmaster child of this process, found ${postmasters.length}`);

  const figures: StepFigures[] = [];
  for (const [i, n] of INGEST_STEPS.entries()) {
    const s = await step(work, server, postmasters[0]!, devices, n, i);
    console.log(stepLine(s));
    figures.push(s);
  }
  const [one, two] = figures as [StepFigures, StepFigures];
  console.log(scalingLine(one, two));
  for (const s of figures) console.log(bottleneckLine(s));
  console.log(projectionLine(two));
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
