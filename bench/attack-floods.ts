/**
 * Issue 11 attack figures, on loopback against `earshot serve` in its own
 * process. Two floods from 127.0.0.2 (the attacker's address), each for a
 * bounded time, with probes from 127.0.0.1 (a good monitor and an officer's
 * browser) running throughout:
 * - 2,500 concurrent CONNECTs with wrong secrets, half for unknown device ids
 *   and half for registered ones, each socket reconnecting as soon as it is refused;
 * - 64 concurrent officer logins with random usernames.
 * For each phase (and a quiet baseline): the good monitor's CONNECT→CONNACK
 * p99 (goal < 1 s), the web view's first byte of /app.js p99 (goal < 1 s), the
 * service's CPU (% of one core, from /proc/<pid>/stat, proc(5)) and its peak RSS
 * (VmRSS of /proc/<pid>/status).
 * The CONNECT flood runs in a process of its own, so the probes' event loop
 * measures the service, not the attacker's 2,500 sockets.
 * Run: npm run bench attack   (EARSHOT_BENCH_QUICK=1 for shorter phases)
 */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { openIngest } from '../ingest/src/service/open-ingest.ts';
import { createUsers } from '../ingest/src/users/index.ts';
import { cpuSeconds } from './ingest-load/peers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env['EARSHOT_BENCH_QUICK'] === '1';
const PHASE_MS = QUICK ? 8_000 : 20_000;
const BASELINE_MS = QUICK ? 3_000 : 5_000;
/** Issue 11: the probe's figures. */
const CONNECT_SOCKETS = 2_500;
const LOGIN_CONCURRENCY = 64;
const KNOWN_VICTIMS = 50;
/** The monitor gives up after 30 s (firmware's MQTT connect timeout); a probe is cut there too. */
const PROBE_TIMEOUT_MS = 30_000;
const ATTACKER = '127.0.0.2';
const GOOD = '127.0.0.1';

interface Service { pid: number; mqttPort: number; httpPort: number; child: ChildProcess }

function startService(dataDir: string): Promise<Service> {
  // EARSHOT_BENCH_PROFILE_DIR: the service runs under `node --cpu-prof` and writes its profiles there.
  const prof = process.env['EARSHOT_BENCH_PROFILE_DIR'];
  const child = spawn(process.execPath, [...(prof === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', prof]), join(ROOT, 'ingest/bin/earshot.js'), 'serve', '--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EARSHOT_LOG_LEVEL: 'error' },
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.once('exit', (code) => reject(new Error(`earshot serve exited (${code}): ${err.trim()}`)));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      const m = /devices: mqtts?:\/\/[^\s:]+:(\d+), officers: http:\/\/[^\s:]+:(\d+)/.exec(err);
      if (m !== null) resolve({ pid: child.pid!, mqttPort: Number(m[1]), httpPort: Number(m[2]), child });
    });
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m === null ? 0 : Number(m[1]) / 1024;
}

/** MQTT 3.1.1 §3.1 CONNECT with username and password, clean session. */
function connectPacket(id: string, password: string): Buffer {
  const str = (s: string): Buffer => {
    const b = Buffer.from(s, 'utf8');
    const l = Buffer.alloc(2);
    l.writeUInt16BE(b.length);
    return Buffer.concat([l, b]);
  };
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 60]), str(id), str(id), str(password)]);
  const len: number[] = [];
  let x = body.length;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    len.push(b);
  } while (x > 0);
  return Buffer.concat([Buffer.from([0x10, ...len]), body]);
}

const p99 = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)]!;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Probes until `stop()`; a probe still running then counts with its time so far. */
function probes(svc: Service, goodId: string, goodSecret: string) {
  let running = true;
  const connects: number[] = [];
  const firstBytes: number[] = [];
  let connectFailures = 0;
  let webFailures = 0;
  const monitor = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const c = await mqtt.connectAsync(`mqtt://${GOOD}:${svc.mqttPort}`, { clientId: goodId, username: goodId, password: goodSecret, protocolVersion: 4, clean: false, reconnectPeriod: 0, connectTimeout: PROBE_TIMEOUT_MS });
        connects.push(performance.now() - t0);
        await c.endAsync(true);
      } catch {
        connects.push(performance.now() - t0);
        connectFailures++;
      }
      await sleep(200);
    }
  })();
  const web = (async () => {
    while (running) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const req = request({ host: GOOD, port: svc.httpPort, path: '/app.js', agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
          firstBytes.push(performance.now() - t0);
          res.resume().once('end', resolve).once('error', () => resolve());
        });
        req.once('timeout', () => req.destroy(new Error('timeout')));
        req.once('error', () => {
          firstBytes.push(performance.now() - t0);
          webFailures++;
          resolve();
        });
        req.end();
      });
      await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.all([monitor, web]);
      return { connects, firstBytes, connectFailures, webFailures };
    },
  };
}

/** 2,500 sockets from the attacker's address, each sending a wrong-secret CONNECT and reconnecting once refused. */
function connectFlood(svc: Pick<Service, 'mqttPort'>, knownIds: readonly string[]) {
  let running = true;
  let attempts = 0;
  let refusedAtOnce = 0;
  const open = new Set<Socket>();
  const one = (i: number): void => {
    if (!running) return;
    const id = i % 2 === 0 ? knownIds[i % knownIds.length]! : `ghost-${i}`;
    const s = tcpConnect({ host: GOOD, port: svc.mqttPort, localAddress: ATTACKER });
    open.add(s);
    attempts++;
    let gotData = false;
    s.setTimeout(PROBE_TIMEOUT_MS, () => s.destroy());
    s.once('connect', () => s.write(connectPacket(id, randomBytes(32).toString('base64url'))));
    s.on('data', () => {
      gotData = true;
    });
    s.once('close', () => {
      open.delete(s);
      if (!gotData) refusedAtOnce++;
      // Back off a little, as a real attacker's reconnect loop would, so the generator's own core is not all spent on connect().
      setTimeout(() => one(i), 10);
    });
    s.on('error', () => undefined);
  };
  for (let i = 0; i < CONNECT_SOCKETS; i++) one(i);
  return {
    stop() {
      running = false;
      for (const s of open) s.destroy();
      return { attempts, refusedAtOnce };
    },
  };
}

/** 64 concurrent loops of POST /api/login with random usernames, from the attacker's address. */
function loginFlood(svc: Service) {
  let running = true;
  let attempts = 0;
  const statuses = new Map<number, number>();
  const loop = async (): Promise<void> => {
    while (running) {
      attempts++;
      await new Promise<void>((resolve) => {
        const body = JSON.stringify({ username: `u${randomBytes(6).toString('hex')}`, password: 'not the password at all' });
        const req = request({ host: GOOD, port: svc.httpPort, path: '/api/login', method: 'POST', localAddress: ATTACKER, agent: false, timeout: PROBE_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          res.resume().once('end', resolve).once('error', () => resolve());
        });
        req.once('timeout', () => req.destroy(new Error('timeout')));
        req.once('error', () => resolve());
        req.end(body);
      });
    }
  };
  const loops = Array.from({ length: LOGIN_CONCURRENCY }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { attempts, statuses };
    },
  };
}

async function phase(name: string, svc: Service, goodId: string, goodSecret: string, ms: number, attack: () => { stop(): Promise<string> | string }): Promise<void> {
  const cpu0 = cpuSeconds(svc.pid);
  const t0 = performance.now();
  let peak = rssMb(svc.pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(svc.pid));
  }, 250);
  const p = probes(svc, goodId, goodSecret);
  const a = attack();
  await sleep(ms);
  const what = await a.stop();
  const r = await p.stop();
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (100 * (cpuSeconds(svc.pid) - cpu0)) / seconds;
  const f = (x: number): string => (Number.isNaN(x) ? '–' : x < 1000 ? `${x.toFixed(0)} ms` : `${(x / 1000).toFixed(1)} s`);
  console.log(`  ${name}: monitor CONNECT→CONNACK p99 ${f(p99(r.connects))} (${r.connects.length} probes, ${r.connectFailures} failed); `
    + `web /app.js first byte p99 ${f(p99(r.firstBytes))} (${r.firstBytes.length} probes, ${r.webFailures} failed); `
    + `service CPU ${cpu.toFixed(0)} % of a core, peak RSS ${peak.toFixed(0)} MB${what === '' ? '' : `; ${what}`}`);
}

interface FloodCounts { attempts: number; refusedAtOnce: number }

/** The attacker's process (argv: flood PORT ID…): floods until told to stop, then answers with its counts. */
function floodProcess(): void {
  const [, , , port, ...ids] = process.argv;
  const f = connectFlood({ mqttPort: Number(port) }, ids);
  process.once('message', () => process.send!(f.stop(), () => process.exit(0)));
}

/** Starts the flood in a process of its own; stop() ends it and gives its counts. */
function connectFloodProcess(svc: Service, knownIds: readonly string[]) {
  const child = fork(fileURLToPath(import.meta.url), ['flood', String(svc.mqttPort), ...knownIds], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    pid: child.pid!,
    async stop(): Promise<FloodCounts> {
      const r = new Promise<FloodCounts>((resolve) => child.once('message', (m) => resolve(m as FloodCounts)));
      child.send('stop');
      const counts = await r;
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      return counts;
    },
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'earshot-attack-'));
  let svc: Service | null = null;
  try {
    const dataDir = join(work, 'data');
    const ingest = openIngest(dataDir);
    const good = ingest.registry.add('good-monitor');
    const knownIds: string[] = [];
    for (let i = 0; i < KNOWN_VICTIMS; i++) knownIds.push(ingest.registry.add(`victim-${String(i).padStart(3, '0')}`).deviceId);
    await createUsers(ingest.db).add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'correct horse battery staple' });
    ingest.close();
    svc = await startService(dataDir);
    console.log(`attack floods: ${availableParallelism()} cores shared with the load generator (this process); attacker ${ATTACKER}, probes from ${GOOD}; ${PHASE_MS / 1000} s per flood${QUICK ? ' (quick mode)' : ''}`);
    const s = svc;
    await phase('quiet baseline', s, good.deviceId, good.secret, BASELINE_MS, () => ({ stop: () => '' }));
    await phase(`${CONNECT_SOCKETS} concurrent bad CONNECTs`, s, good.deviceId, good.secret, PHASE_MS, () => {
      const f = connectFloodProcess(s, knownIds);
      return { stop: async () => {
        const r = await f.stop();
        return `${r.attempts} attack CONNECTs, ${r.refusedAtOnce} closed without an answer`;
      } };
    });
    await sleep(3_000);
    await phase(`${LOGIN_CONCURRENCY} concurrent bad logins`, s, good.deviceId, good.secret, PHASE_MS, () => {
      const f = loginFlood(s);
      return { stop: async () => {
        const r = await f.stop();
        return `${r.attempts} attack logins (HTTP ${[...r.statuses].map(([k, v]) => `${k}×${v}`).join(', ')})`;
      } };
    });
  } finally {
    if (svc !== null) {
      const child = svc.child;
      child.removeAllListeners('exit');
      await new Promise<void>((resolve) => {
        const hard = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(hard);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'flood') floodProcess();
else await main();
