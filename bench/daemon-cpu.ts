/**
 * The monitor daemon's cost on this machine (issue 3): `earshot-device run` on a
 * live-paced 48 kHz / 24-bit WAV (the demo soundscape: music, slams, voices),
 * four nuisance rules, clips on, uplink to a local broker. CPU is read from
 * /proc/<pid>/stat over a minute after a warm-up; RSS is the peak VmRSS.
 * Variants, each its own daemon process: the bundle the Pi runs
 * (`npm run build:device`, node --max-semi-space-size=2, as hardware.md's
 * systemd unit) with 1/3-octave bands off and on (the remote config's `bands`,
 * issue 16: the filter bank live and `Z3` in every 1 s record), and the
 * development path (TypeScript compiled at start by tsx) with bands on.
 * Run: npx tsx bench/daemon-cpu.ts  (EARSHOT_BENCH_QUICK=1 for a 15 s window, bundle only)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { encodeWav } from '../firmware/src/audio/index.ts';
import { soundscape } from '../firmware/src/demo/soundscape.ts';
import { generateIdentity } from '../firmware/src/identity/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.env['EARSHOT_BENCH_QUICK'] === '1';
const WARMUP_S = quick ? 5 : 15;
const WINDOW_S = quick ? 15 : 60;
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (proc(5)); 100 on Linux x86 and ARM. */
const CLK_TCK = 100;

const dir = mkdtempSync(join(tmpdir(), 'earshot-daemon-cpu-'));
const broker = await Aedes.createBroker();
let published = 0;
broker.on('publish', (packet, client) => {
  if (client !== null && client !== undefined) published++;
  void packet;
});
const server = createServer(broker.handle);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;

const wav = join(dir, 'scene.wav');
writeFileSync(wav, encodeWav(soundscape({ sampleRate: 48_000, seed: 3, fullScaleDb: 120, seconds: 120 }), { encoding: 'int', bitsPerSample: 24, sampleRate: 48_000 }));
generateIdentity(join(dir, 'state', 'keys'));
type Bands = 'third-octave' | 'off';
const configFile = (bands: Bands): string => join(dir, `device-bands-${bands}.json`);
for (const bands of ['off', 'third-octave'] as const) writeFileSync(configFile(bands), JSON.stringify({
  deviceId: 'bench-monitor',
  secret: 'bench-secret-bench-secret',
  server: { url: `mqtt://127.0.0.1:${port}` },
  stateDir: 'state',
  capture: { type: 'wav', files: [wav], loop: true, pace: 'realtime' },
  remote: {
    version: 1,
    bands,
    audio: { mode: process.env['BENCH_AUDIO'] === 'off' ? 'off' : 'on-event' },
    rules: [
      { type: 'noise-act-night', id: 'night', schedule: { start: '00:00', end: '24:00' } },
      { type: 'low-frequency', id: 'bass', lcThresholdDb: 50, windowSeconds: 10 },
      { type: 'impulsive', id: 'slams', thresholdDb: 65 },
      { type: 'background-relative', id: 'over-background', deltaDb: 10, windowSeconds: 30, backgroundWindowSeconds: 300 },
    ],
  },
}));

const bundleDir = join(root, '.bench-tmp', 'device');
const bundle = join(bundleDir, 'earshot-device.mjs');
const built = spawnSync('npm', ['run', '--silent', 'build:device', '--', `--outdir=${bundleDir}`], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) throw new Error('npm run build:device failed');

interface Variant {
  name: string;
  argv: string[];
  bands: Bands;
}
const pi = ['--max-semi-space-size=2', bundle];
const variants: Variant[] = [
  { name: 'bundle (as on the Pi)', argv: pi, bands: 'off' },
  { name: 'bundle (as on the Pi)', argv: pi, bands: 'third-octave' },
  ...(quick ? [] : [{ name: 'development (tsx)', argv: [join(root, 'firmware/bin/earshot-device.js')], bands: 'third-octave' as const }]),
];

async function measure(v: Variant): Promise<void> {
  const child = spawn(process.execPath, [...v.argv, 'run', '--config', configFile(v.bands)], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, EARSHOT_LOG_LEVEL: 'warn' } });
  const pid = child.pid!;
  const cpuTicks = (): number => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // proc(5): fields 14 and 15 (utime, stime) are the 12th and 13th after the ") ".
    return Number(fields[11]) + Number(fields[12]);
  };
  const rssBytes = (): number => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  };
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const t0 = process.hrtime.bigint();
  const c0 = cpuTicks();
  const p0 = published;
  let peakRss = rssBytes();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssBytes());
  }, 500);
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  clearInterval(sampler);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = (cpuTicks() - c0) / CLK_TCK;
  const messages = published - p0;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.log(
    `daemon ${v.name}, live-paced 48 kHz 24-bit WAV, 4 rules, clips ${process.env['BENCH_AUDIO'] === 'off' ? 'off' : 'on'}, bands ${v.bands === 'off' ? 'off' : 'on'}: CPU ${((100 * cpu) / wall).toFixed(2)} % of one core over ${wall.toFixed(0)} s ` +
      `(after ${WARMUP_S} s warm-up), peak RSS ${(peakRss / 1048576).toFixed(0)} MB, ${messages} MQTT messages in the window`,
  );
}

for (const v of variants) await measure(v);
await new Promise<void>((r) => server.close(() => r()));
await new Promise<void>((r) => broker.close(() => r()));
rmSync(dir, { recursive: true, force: true });
