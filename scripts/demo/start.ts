/**
 * `npm start`: the whole of Earshot on one machine, no hardware. Starts the
 * ingest service on embedded defaults (aedes + SQLite in ./data), and the first
 * time also adds a demo device, an officer account and an open case (opened
 * when the complaint came in, before the installation visit: open-case.ts)
 * with the device deployed since yesterday evening, has the resident write
 * last night's diary through the diary link (resident-diary.ts), then fills in
 * last night (22:00–07:00 UK time) through the real chain, faster than real
 * time, as demonstration data (firmware/src/demo/night-fill.ts): marked so on
 * every page and CSV row of its bundles, never evidence. Then a monitor daemon
 * replays a synthesised soundscape (a quiet flat, a neighbour's bass-heavy
 * music, door slams, raised voices) live. Ctrl-C stops everything; running it again resumes with the same
 * data; a second `npm start` while one runs says where it is and exits.
 *
 * EARSHOT_DEMO_DIR (default the repository) moves ./data and ./.demo, and
 * EARSHOT_DEMO_HTTP_PORT / EARSHOT_DEMO_MQTT_PORT the ports, for tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FULL_SCALE_DB, acquireProcessLock, isEarshotError, lockHolder } from '@earshot/shared';
import { encodeWav } from '../../firmware/src/audio/index.ts';
import { lastNight } from '../../firmware/src/demo/last-night.ts';
import { NIGHT_NOT_STARTED, fillNight } from '../../firmware/src/demo/night-fill.ts';
import { soundscape } from '../../firmware/src/demo/soundscape.ts';
import { openDemoCase } from './open-case.ts';
import { DEMO_DIARY, DIARY_REFUSED, sendDemoDiary } from './resident-diary.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = resolve(process.env['EARSHOT_DEMO_DIR'] ?? root);
const demo = join(base, '.demo');
const dataDir = join(base, 'data');
const earshot = join(root, 'ingest', 'bin', 'earshot.js');
const device = join(root, 'firmware', 'bin', 'earshot-device.js');
const statePath = join(demo, 'demo.json');
const lockPath = join(demo, 'demo.lock');

export const DEMO_DEVICE = 'demo-monitor';
export const DEMO_USER = 'officer';
export const DEMO_PASSWORD = 'earshot-demo-password';

/** The demo's settings: scripts/demo/earshot.json, with the ports moved when asked. */
function settingsFile(): { file: string; http: string } {
  const file = join(root, 'scripts', 'demo', 'earshot.json');
  const s = JSON.parse(readFileSync(file, 'utf8')) as { mqtt: { host: string; port: number }; http: { host: string; port: number } };
  const httpPort = process.env['EARSHOT_DEMO_HTTP_PORT'];
  const mqttPort = process.env['EARSHOT_DEMO_MQTT_PORT'];
  if (httpPort === undefined && mqttPort === undefined) return { file, http: `http://${s.http.host}:${s.http.port}/` };
  if (httpPort !== undefined) s.http.port = Number(httpPort);
  if (mqttPort !== undefined) s.mqtt.port = Number(mqttPort);
  const moved = join(demo, 'earshot.json');
  writeFileSync(moved, `${JSON.stringify(s, null, 2)}\n`);
  return { file: moved, http: `http://${s.http.host}:${s.http.port}/` };
}

interface DemoState {
  caseRef: string;
  /** The demonstration night (issue 17): to fill at the next start, or filled (the night it covers). Absent in demos made before it. */
  night?: { status: 'pending' | 'done'; startMs: number; endMs: number; installedAtMs: number };
  /** Last night's resident diary (issue 10): to send at the next start, or sent. Absent in demos made before it: sent then if they have a night. */
  diary?: 'pending' | 'done';
}

function run(bin: string, args: string[], input?: string): string {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: base, encoding: 'utf8', input: input ?? '' });
  if (r.status !== 0) throw new Error(`${args.slice(0, 2).join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The demo's calibrator, as the installer names it to `calibrate` and `deploy start`. */
const DEMO_CALIBRATOR = { make: 'Cirrus', model: 'CR:515', serial: '12345' };
/** The monitor was installed half an hour before last night's 22:00, after its calibrator check ten minutes before that. */
const INSTALLED_BEFORE_NIGHT_MS = 30 * 60_000;
const CALIBRATED_BEFORE_INSTALL_MS = 10 * 60_000;
/** The complaint came in that evening, three hours before the installation; the visit is recorded as a contact once the monitor is in. */
const OPENED_BEFORE_INSTALL_MS = 3 * 3_600_000;
const VISIT_RECORDED_AFTER_INSTALL_MS = 10 * 60_000;
const DEMO_ADDRESS = 'Flat 12, Example House, Demo Street, Leeds LS1 1AA';

function writeState(state: DemoState): void {
  writeFileSync(statePath, `${JSON.stringify(state)}\n`);
}

/** The first run: device, officer, case, monitor config, deployment since yesterday evening (demonstration data). */
function setUp(settings: string): DemoState {
  mkdirSync(demo, { recursive: true });
  const wav = join(demo, 'soundscape.wav');
  if (!existsSync(wav)) {
    say('making the demo soundscape (seeded synthesis, 3 minutes, looped)…');
    writeFileSync(wav, encodeWav(soundscape({ sampleRate: 48_000, seed: 1, fullScaleDb: DEFAULT_FULL_SCALE_DB }), { encoding: 'int', bitsPerSample: 24, sampleRate: 48_000 }));
  }
  const details = run(earshot, ['device', 'add', DEMO_DEVICE, '--data-dir', dataDir, '--config', settings, '--json']);
  writeFileSync(join(demo, 'details.json'), details);
  run(device, ['provision', '--details', join(demo, 'details.json'), '--config', join(demo, 'monitor.json'), '--state-dir', join(demo, 'monitor'), '--capture', `wav:${wav}`, '--force']);
  const config = JSON.parse(readFileSync(join(demo, 'monitor.json'), 'utf8')) as Record<string, unknown>;
  // The incident button, pressed with: kill -USR2 <monitor pid>
  config['io'] = { type: 'signal', signal: 'SIGUSR2' };
  writeFileSync(join(demo, 'monitor.json'), `${JSON.stringify(config, null, 2)}\n`);
  run(earshot, ['user', 'add', DEMO_USER, '--data-dir', dataDir, '--name', 'Jo Smith', '--initials', 'JS', '--role', 'supervisor', '--password-stdin'], `${DEMO_PASSWORD}\n`);
  const night = lastNight(Date.now());
  const installedAtMs = night.startMs - INSTALLED_BEFORE_NIGHT_MS;
  // The case first, as a real one is: opened when the complaint came in, the installation visit its first contact.
  const caseRef = openDemoCase({
    dataDir, officer: DEMO_USER, address: DEMO_ADDRESS, openedAtMs: installedAtMs - OPENED_BEFORE_INSTALL_MS, visitAtMs: installedAtMs + VISIT_RECORDED_AFTER_INSTALL_MS,
  });
  // The installer's flow (README), as of yesterday evening: the monitor's own calibrator check (made by the
  // night fill on the monitor's clock, just before installation), then the deployment with the equipment and
  // position a defence expert needs — marked as demonstration data in its evidence leaf.
  run(earshot, [
    'deploy', 'start', '--data-dir', dataDir, '--case', caseRef, '--device', DEMO_DEVICE, '--installed-by', 'Jo Smith', '--demonstration',
    '--at', new Date(installedAtMs).toISOString(),
    '--monitor-model', 'Earshot demo (no hardware)', '--monitor-serial', 'DEMO-0001', '--mic-make', 'TDK', '--mic-model', 'ICS-43434', '--mic-class', '1', '--mic-tolerance-db', '1.0',
    '--calibrator-make', DEMO_CALIBRATOR.make, '--calibrator-model', DEMO_CALIBRATOR.model, '--calibrator-serial', DEMO_CALIBRATOR.serial,
    '--calibrator-class', '1', '--calibrator-certificate', 'DEMO-CERT-1', '--calibrator-lab-date', '2026-01-15',
    '--room', 'Bedroom', '--height-m', '1.2', '--party-wall-m', '1.5', '--windows', 'closed',
  ]);
  const state: DemoState = { caseRef, night: { status: 'pending', startMs: night.startMs, endMs: night.endMs, installedAtMs }, diary: 'pending' };
  writeState(state);
  return state;
}

/**
 * The resident writes last night's diary through the link the officer issues (resident-diary.ts); 'done' once
 * in (or refused as it stands), 'pending' to try again at the next start.
 */
async function residentDiary(caseRef: string, nightStartMs: number, settings: string): Promise<'pending' | 'done'> {
  try {
    const deployments = JSON.parse(run(earshot, ['deploy', 'list', '--data-dir', dataDir, '--case', caseRef, '--device', DEMO_DEVICE, '--json'])) as { id: number; removedAt: string | null }[];
    const live = deployments.find((d) => d.removedAt === null);
    if (live === undefined) {
      say(`the resident's diary was not written: the demo monitor is no longer deployed at case ${caseRef}`);
      return 'done';
    }
    // The officer's command (its warning that a loopback link works only on this machine is right for the demo, and is not shown).
    const url = run(earshot, ['deploy', 'link', '--data-dir', dataDir, '--deployment', String(live.id), '--config', settings, '--by', 'Jo Smith']).trim();
    const r = await sendDemoDiary({ url, nightStartMs });
    const what = r.already === 0 ? `wrote ${r.sent} diary entries` : `sent the last ${r.sent} of ${DEMO_DIARY.length} diary entries`;
    say(`The resident ${what} about last night through their diary link (their page: ${url}).`);
    return 'done';
  } catch (e) {
    const refused = e instanceof Error && e.name === DIARY_REFUSED;
    say(`the resident's diary could not be written${refused ? '' : ' (it is tried again at the next start)'}: ${e instanceof Error ? e.message : String(e)}`);
    return refused ? 'done' : 'pending';
  }
}

async function waitForHttp(child: ChildProcess, url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error('the ingest service stopped at start: see its log above');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the ingest service did not answer on ${url} within 30 s`);
}

const london = (ms: number): string => new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** One demo per folder: a second `npm start` says where the running one is, and exits. */
function lockDemo(http: string): (() => void) | null {
  mkdirSync(demo, { recursive: true });
  try {
    return acquireProcessLock(lockPath, { what: `the demo in ${base}`, command: 'npm start', info: { url: http, dataDir } }).release;
  } catch (e) {
    if (!isEarshotError(e) || e.code !== 'EARSHOT_E_ALREADY_RUNNING') throw e;
    const h = lockHolder(lockPath);
    const since = h === null ? '' : `, pid ${h.pid}, since ${h.since.replace(/\.\d{3}Z$/, 'Z')}`;
    say(`The Earshot demo is already running (${h?.command ?? 'npm start'}${since}): open ${h?.info?.['url'] ?? http} — its data is in ${h?.info?.['dataDir'] ?? dataDir}.`);
    say('Stop it with Ctrl-C in its terminal first to start it again.');
    return null;
  }
}

async function main(): Promise<void> {
  mkdirSync(demo, { recursive: true });
  const { file: settings, http } = settingsFile();
  const release = lockDemo(http);
  if (release === null) return;
  const ingestLog = openSync(join(demo, 'ingest.log'), 'a');
  const ingest = spawn(process.execPath, [earshot, 'serve', '--data-dir', dataDir, '--config', settings], { cwd: base, stdio: ['ignore', ingestLog, 'inherit'] });
  let monitor: ChildProcess | null = null;
  let stopping = false;
  const abort = new AbortController();
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    say('\nstopping the monitor and the ingest service…');
    abort.abort();
    if (monitor === null || monitor.exitCode !== null) ingest.kill('SIGTERM');
    else {
      monitor.kill('SIGTERM');
      monitor.once('exit', () => ingest.kill('SIGTERM'));
    }
    setTimeout(() => ingest.kill('SIGTERM'), 10_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const ingestExited = new Promise<void>((resolve) => ingest.on('exit', () => resolve()));

  await waitForHttp(ingest, http);
  const state: DemoState = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as DemoState) : setUp(settings);
  const monitorConfig = join(demo, 'monitor.json');
  const startMonitor = (): void => {
    if (stopping) return;
    const monitorLog = openSync(join(demo, 'monitor.log'), 'a');
    const m = spawn(process.execPath, [device, 'run', '--config', monitorConfig], { cwd: base, stdio: ['ignore', monitorLog, 'inherit'] });
    monitor = m;
    m.on('exit', (code, signal) => {
      if (!stopping) say(`the monitor stopped (${signal ?? code}): see .demo/monitor.log`);
    });
    say(`The monitor is replaying neighbour noise live; events appear within a minute. Press its incident button: kill -USR2 ${m.pid}`);
  };
  say('');
  say(`Earshot demo running. Open ${http} and log in as "${DEMO_USER}" with password "${DEMO_PASSWORD}".`);
  say(`Case ${state.caseRef}, monitor "${DEMO_DEVICE}".   Court bundle: npm run demo:bundle   ·   logs: .demo/ingest.log, .demo/monitor.log`);
  say('Ctrl-C stops everything; npm start again resumes with the same data.');

  const night = state.night;
  if (night !== undefined && (state.diary ?? 'pending') === 'pending') {
    state.diary = await residentDiary(state.caseRef, night.startMs, settings);
    writeState(state);
  }
  if (night?.status === 'pending') {
    say(`Filling in last night (${london(night.startMs)} – ${london(night.endMs)} UK time) as DEMONSTRATION DATA, faster than real time, in the background…`);
    const quiet = { info: () => undefined, warn: (msg: string, fields?: Record<string, unknown>) => say(`demonstration night: ${msg} ${JSON.stringify(fields ?? {})}`) };
    try {
      const r = await fillNight({
        configFile: monitorConfig, startMs: night.startMs, endMs: night.endMs, calibratedAtMs: night.installedAtMs - CALIBRATED_BEFORE_INSTALL_MS,
        calibrator: DEMO_CALIBRATOR, log: quiet, signal: abort.signal,
      });
      if (r.complete) {
        writeState({ ...state, night: { ...night, status: 'done' } });
        say(`Last night is in (${r.events} events, ${r.clips} clips, measured in ${Math.round(r.tookMs / 1000)} s): open the case and look at the night of ${london(night.startMs).split(',')[0]}.`);
      } else {
        // Resuming would send the first part twice: the night stays as far as it got.
        writeState({ ...state, night: { ...night, status: 'done' } });
        say(`Last night was stopped after ${Math.round(r.seconds / 60)} minutes of it; delete ${dataDir} and ${demo} to fill it in afresh.`);
      }
    } catch (e) {
      // Once measuring began, part of the night may be in: filling it again would send that part twice.
      const retry = e instanceof Error && e.name === NIGHT_NOT_STARTED;
      if (!retry) writeState({ ...state, night: { ...night, status: 'done' } });
      say(`the demonstration night could not be filled in${retry ? ' (it is tried again at the next start)' : ''}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  startMonitor();

  await ingestExited;
  release();
  if (!stopping) {
    say('the ingest service stopped: see .demo/ingest.log');
    (monitor as ChildProcess | null)?.kill('SIGTERM');
    process.exitCode = 1;
  }
}

await main();
