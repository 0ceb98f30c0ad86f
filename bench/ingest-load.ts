/**
 * Issue 4 load figures: N simulated devices on loopback against `earshot serve`
 * in its own process, each sending a signed batch of ten 1 s level records every
 * 10 s, a heartbeat every 60 s and, for 1 in 50 devices a minute, an event.
 * For each step of N: messages/s offered and stored, publish → PUBACK latency
 * (PUBACK = stored, DESIGN §4) p50/p99, and loss (rows in `messages` against
 * messages sent). The largest N with no loss and p99 < 2 s over a 60 s window is
 * what the service sustains. Then the same stream through Debian's mosquitto to
 * one do-nothing subscriber, as the ratio anchor.
 *
 * Two cores: the service (or mosquitto) in its own process, the load generator
 * (every device's mqtt client, pre-signed payloads) in this one.
 * Run: npm run bench ingest-load   (EARSHOT_BENCH_QUICK=1 for a short smoke run)
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { makeFleet, planWindow, registerFleet, type SimDevice } from './ingest-load/fleet.ts';
import { connectUpTo, emptyFleet, type Fleet, runWindow, type WindowResult } from './ingest-load/load.ts';
import { cpuSeconds, openFilesLimit, type Peer, startIngest, startMosquitto } from './ingest-load/peers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env['EARSHOT_BENCH_QUICK'] === '1';
/** Issue 4's goal is 10,000 devices. Connecting costs a scrypt check each (~30 CONNECTs/s here), so few steps keep the run near 10 minutes. */
const STEPS = QUICK ? [50, 200] : [1_000, 5_000, 10_000];
/** Issue 4: sustained for at least 60 s per step. */
const WINDOW_MS = QUICK ? 10_000 : 60_000;
/** Issue 4: publish → stored p99 under 2 s. */
const P99_LIMIT_MS = 2_000;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');
const ms = (n: number): string => (Number.isNaN(n) ? '–' : n < 10 ? `${n.toFixed(1)} ms` : `${fmt(n)} ms`);

interface StepFigures extends WindowResult {
  n: number;
  /** CPU seconds over the window: the server's process, and this one (the load generator). */
  cpu: number;
  generatorCpu: number;
}

function line(what: string, s: StepFigures): string {
  const seconds = WINDOW_MS / 1000;
  const loss = s.sent - s.stored;
  return `${what}: N=${fmt(s.n)} devices: ${fmt(s.sent / seconds)} msg/s offered, ${fmt(s.storedByEnd / seconds)} stored (in the window), `
    + `p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)}, max ${ms(s.maxMs)}, loss ${fmt(loss)}${s.acked < s.sent ? ` (${fmt(s.sent - s.acked)} never PUBACKed)` : ''}, `
    + `server CPU ${(100 * s.cpu / seconds).toFixed(0)} % of a core (${((1000 * s.cpu) / Math.max(1, s.stored)).toFixed(2)} ms/msg), generator CPU ${(100 * s.generatorCpu / seconds).toFixed(0)} %, late ≤ ${ms(s.lateMs)}`;
}

/** Connects up to n devices, runs one measured window, returns its figures. */
async function step(peer: Peer, fleet: Fleet, devices: SimDevice[], n: number, secret: string, index: number, stored: () => number): Promise<StepFigures> {
  const had = fleet.clients.length;
  const c0 = performance.now();
  await connectUpTo(fleet, devices, n, peer.port, secret);
  const connectS = (performance.now() - c0) / 1000;
  if (n > had) console.log(`  ${peer.name}: connected ${fmt(n - had)} more devices in ${connectS.toFixed(1)} s (${fmt((n - had) / connectS)}/s)`);
  const plan = planWindow(devices, n, WINDOW_MS, Date.now() + 1_000, index);
  const cpu0 = cpuSeconds(peer.pid);
  const own0 = process.cpuUsage();
  const r = await runWindow(fleet, plan, WINDOW_MS, stored);
  const own = process.cpuUsage(own0);
  return { ...r, n, cpu: cpuSeconds(peer.pid) - cpu0, generatorCpu: (own.user + own.system) / 1e6 };
}

const passes = (s: StepFigures, dropped: number): boolean => s.stored === s.sent && s.acked === s.sent && s.p99Ms < P99_LIMIT_MS && dropped === 0;

const work = mkdtempSync(join(tmpdir(), 'earshot-load-'));
try {
  const maxN = STEPS.at(-1)!;
  console.log(`ingest load: ${availableParallelism()} cores; open files limit ${openFilesLimit()} (each process holds one socket per device); `
    + `process.getMaxListeners() ${process.getMaxListeners()}, EventEmitter.defaultMaxListeners ${EventEmitter.defaultMaxListeners}; `
    + `split: server in its own process, load generator (${fmt(maxN)} mqtt clients) in this one; ${WINDOW_MS / 1000} s per step${QUICK ? ' (quick mode)' : ''}`);
  const k0 = performance.now();
  const devices = makeFleet(maxN);
  const dataDir = join(work, 'data');
  const secret = registerFleet(dataDir, devices);
  console.log(`  ${fmt(maxN)} device keys made and registered in ${((performance.now() - k0) / 1000).toFixed(1)} s`);

  // The ingest service, stepping N up until a step fails.
  const s0 = performance.now();
  const ingest = await startIngest(ROOT, dataDir, join(work, 'earshot-serve.log'));
  console.log(`  earshot serve ready in ${((performance.now() - s0) / 1000).toFixed(1)} s with ${fmt(maxN)} devices registered`);
  const db = new Database(join(dataDir, 'earshot.db'), { readonly: true });
  const countMessages = db.prepare<[], number>('SELECT count(*) FROM messages').pluck();
  const fleet = emptyFleet();
  let largest = 0;
  let last: StepFigures | null = null;
  for (const [i, n] of STEPS.entries()) {
    last = await step(ingest, fleet, devices, n, secret, i, () => countMessages.get()!);
    console.log(line('ingest load', last) + (fleet.dropped.n > 0 ? `, ${fleet.dropped.n} connections dropped` : ''));
    if (!passes(last, fleet.dropped.n)) break;
    largest = n;
  }
  await fleet.end();
  db.close();
  await ingest.stop();

  // The anchor: the same stream, at the last N the ingest ran, through mosquitto to one subscriber that only counts.
  const mosquitto = await startMosquitto(work);
  if (mosquitto === null) {
    console.log('mosquitto anchor skipped: /usr/sbin/mosquitto is not installed (apt-get install mosquitto)');
  } else {
    try {
      let received = 0;
      const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { clientId: 'anchor-subscriber', protocolVersion: 4, clean: true, reconnectPeriod: 0 });
      sub.on('message', () => received++);
      await sub.subscribeAsync('earshot/v1/+/+', { qos: 1 });
      const anchorFleet = emptyFleet();
      const a = await step(mosquitto, anchorFleet, devices, last!.n, secret, STEPS.length, () => received);
      console.log(line('mosquitto anchor', a) + (anchorFleet.dropped.n > 0 ? `, ${anchorFleet.dropped.n} connections dropped` : ''));
      await anchorFleet.end();
      await sub.endAsync(true);
      const perMsg = (s: StepFigures): number => s.cpu / Math.max(1, s.stored);
      console.log(`ingest / mosquitto at N=${fmt(a.n)}: p50 ×${(last!.p50Ms / a.p50Ms).toFixed(1)}, p99 ×${(last!.p99Ms / a.p99Ms).toFixed(1)}, `
        + `server CPU per message ×${(perMsg(last!) / perMsg(a)).toFixed(1)} (verify, validate, dedupe, store with fsync per group commit, against forward only)`);
    } finally {
      await mosquitto.stop();
    }
  }
  console.log(`largest N sustained: ${largest === 0 ? `none of ${STEPS.map(fmt).join(', ')}` : fmt(largest)} devices (no loss, p99 publish→stored < ${P99_LIMIT_MS / 1000} s, ${WINDOW_MS / 1000} s per step${QUICK ? ', quick mode' : ''})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
