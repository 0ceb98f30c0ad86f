/**
 * `npm start`: the whole of Earshot on one machine, no hardware. Starts the
 * ingest service on embedded defaults (aedes + SQLite in ./data), and the first
 * time also adds a demo device, an officer account and an open case with the
 * device deployed; then runs a monitor daemon replaying a synthesised
 * soundscape (a quiet flat at night, a neighbour's bass-heavy music, door slams,
 * raised voices) through the full chain. Ctrl-C stops both; running it again
 * resumes with the same data. Everything it makes lives in ./data and ./.demo.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FULL_SCALE_DB } from '@earshot/shared';
import { encodeWav } from '../../firmware/src/audio/index.ts';
import { soundscape } from '../../firmware/src/demo/soundscape.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const demo = join(root, '.demo');
const dataDir = join(root, 'data');
const settings = join(root, 'scripts', 'demo', 'earshot.json');
const earshot = join(root, 'ingest', 'bin', 'earshot.js');
const device = join(root, 'firmware', 'bin', 'earshot-device.js');
const statePath = join(demo, 'demo.json');

export const DEMO_DEVICE = 'demo-monitor';
export const DEMO_USER = 'officer';
export const DEMO_PASSWORD = 'earshot-demo-password';
const HTTP = 'http://127.0.0.1:8080/';

interface DemoState {
  caseRef: string;
}

function run(bin: string, args: string[], input?: string): string {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', input: input ?? '' });
  if (r.status !== 0) throw new Error(`${args.slice(0, 2).join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The demo's calibrator, as the installer names it to `calibrate` and `deploy start`. */
const DEMO_CALIBRATOR = ['--calibrator-make', 'Cirrus', '--calibrator-model', 'CR:515', '--calibrator-serial', '12345'];

/**
 * Six seconds of what the microphone delivers with a 94.0 dB / 1 kHz calibrator fitted (IEC 60942), at the
 * demo's calibration: a sine reading 94.0 dB has peak 10^((94 − fullScaleDb) / 20) (DESIGN §2).
 */
function calibratorTone(sampleRate: number): Float64Array {
  const peak = 10 ** ((94 - DEFAULT_FULL_SCALE_DB) / 20);
  return Float64Array.from({ length: 6 * sampleRate }, (_, n) => peak * Math.sin((2 * Math.PI * 1000 * n) / sampleRate));
}

/** The first run: device, officer, case, monitor config and calibration, deployment, soundscape. */
function setUp(): DemoState {
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
  const opened = run(earshot, ['case', 'open', '--data-dir', dataDir, '--category', 'high-risk', '--officer', DEMO_USER, '--address', 'Flat 12, Example House, Demo Street, Leeds LS1 1AA']);
  const caseRef = /Case (\S+) opened/.exec(opened)?.[1];
  if (caseRef === undefined) throw new Error(`unexpected output from case open: ${opened}`);
  // The installer's flow (README): a calibrator check made by the monitor itself — here of a synthesised
  // 94.0 dB / 1 kHz calibrator tone — kept as a calibration record that the monitor signs and sends when it
  // starts, so the bundle's equipment section shows the monitor's own calibration; then the deployment with
  // the equipment and position a defence expert needs.
  const tone = join(demo, 'calibrator-94db-1khz.wav');
  if (!existsSync(tone)) writeFileSync(tone, encodeWav(calibratorTone(48_000), { encoding: 'int', bitsPerSample: 24, sampleRate: 48_000 }));
  run(device, ['calibrate', '--config', join(demo, 'monitor.json'), '--wav', tone, ...DEMO_CALIBRATOR]);
  run(earshot, [
    'deploy', 'start', '--data-dir', dataDir, '--case', caseRef, '--device', DEMO_DEVICE, '--installed-by', 'Jo Smith',
    '--monitor-model', 'Earshot demo (no hardware)', '--monitor-serial', 'DEMO-0001', '--mic-make', 'TDK', '--mic-model', 'ICS-43434', '--mic-class', '1', '--mic-tolerance-db', '1.0',
    ...DEMO_CALIBRATOR, '--calibrator-class', '1', '--calibrator-certificate', 'DEMO-CERT-1', '--calibrator-lab-date', '2026-01-15',
    '--room', 'Bedroom', '--height-m', '1.2', '--party-wall-m', '1.5', '--windows', 'closed',
  ]);
  const state: DemoState = { caseRef };
  writeFileSync(statePath, `${JSON.stringify(state)}\n`);
  return state;
}

async function waitForHttp(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error('the ingest service stopped at start: see its log above');
    try {
      if ((await fetch(HTTP)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the ingest service did not answer on ${HTTP} within 30 s`);
}

async function main(): Promise<void> {
  mkdirSync(demo, { recursive: true });
  const ingestLog = openSync(join(demo, 'ingest.log'), 'a');
  const ingest = spawn(process.execPath, [earshot, 'serve', '--data-dir', dataDir, '--config', settings], { cwd: root, stdio: ['ignore', ingestLog, 'inherit'] });
  await waitForHttp(ingest);
  const state: DemoState = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as DemoState) : setUp();
  const monitorLog = openSync(join(demo, 'monitor.log'), 'a');
  const monitor = spawn(process.execPath, [device, 'run', '--config', join(demo, 'monitor.json')], { cwd: root, stdio: ['ignore', monitorLog, 'inherit'] });
  say('');
  say(`Earshot demo running. Open ${HTTP} and log in as "${DEMO_USER}" with password "${DEMO_PASSWORD}".`);
  say(`Case ${state.caseRef}: the monitor "${DEMO_DEVICE}" is replaying a night of neighbour noise; events appear within a minute.`);
  say(`Press the incident button: kill -USR2 ${monitor.pid}   ·   court bundle: npm run demo:bundle   ·   logs: .demo/ingest.log, .demo/monitor.log`);
  say('Ctrl-C stops both processes; npm start again resumes with the same data.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    say('\nstopping the monitor and the ingest service…');
    monitor.kill('SIGTERM');
    monitor.once('exit', () => ingest.kill('SIGTERM'));
    setTimeout(() => ingest.kill('SIGTERM'), 10_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  monitor.on('exit', (code, signal) => {
    if (!stopping) say(`the monitor stopped (${signal ?? code}): see .demo/monitor.log`);
  });
  await new Promise<void>((resolve) => ingest.on('exit', () => resolve()));
  if (!stopping) {
    say('the ingest service stopped: see .demo/ingest.log');
    monitor.kill('SIGTERM');
    process.exitCode = 1;
  }
}

await main();
