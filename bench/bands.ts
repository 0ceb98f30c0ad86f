/**
 * The full measurement chain with and without 1/3-octave bands (DESIGN §3 "Bands"), 48 kHz
 * mono, 100 ms blocks, on one core: the chain of engine-throughput.ts (A, C, Z; F and S; Leq;
 * LCpeak; 10 ms F levels; 1 s intervals; rolling 5 min LAeq and LAF90), with the bank on or off.
 * Each variant runs in its own child process (STYLE: JIT state from one must not distort the other).
 *
 * Printed per variant: ns per input sample and the real-time factor from the median wall-clock run,
 * and the same from the median of the process's CPU time (steadier on a machine shared with other
 * work: time the process was not running is not counted). With --expose-gc each variant starts its
 * timed runs from a collected heap. With --scalar it also runs both on the JavaScript level chain
 * (EngineOptions.kernel 'scalar', the WebAssembly chain's bit-identical reference).
 * Run: node --expose-gc --import tsx bench/bands.ts [--scalar]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LevelEngine, RollingLevels } from '../firmware/src/measure/index.ts';
import { pinkNoise } from './signals.ts';

const FS = 48_000;
const BLOCK = FS / 10;
const AUDIO_SECONDS = 300;
const RUNS = 5;

const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

function measure(bands: boolean, kernel: 'auto' | 'scalar'): void {
  const source = pinkNoise(FS * 10, 0.1, 42);
  const rolling = new RollingLevels({ windowSeconds: 300, fullScaleDb: 120 });
  let sink = 0;
  const engine = new LevelEngine({
    sampleRate: FS,
    kernel,
    ...(bands ? { bands: 'third-octave' as const } : {}),
    onInterval: (r) => {
      rolling.pushInterval(r);
      sink += (rolling.LAeq ?? 0) + (rolling.LAFn(90) ?? 0) + (r.bands?.ms[0] ?? 0);
    },
    onTick: (laf) => rolling.pushTick(laf),
  });
  const feed = (seconds: number): void => {
    const blocks = (seconds * FS) / BLOCK;
    for (let b = 0; b < blocks; b++) {
      const off = (b * BLOCK) % source.length;
      engine.process(source, off, off + BLOCK);
    }
  };
  feed(30); // warm-up
  gc?.();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    feed(AUDIO_SECONDS);
    wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const perSample = (s: number): string => ((s * 1e9) / (AUDIO_SECONDS * FS)).toFixed(2);
  const factor = (s: number): string => (AUDIO_SECONDS / s).toFixed(0);
  const w = median(wall), c = median(cpu);
  console.log(
    `engine full chain, 48 kHz mono, bands ${bands ? 'on' : 'off'}${kernel === 'scalar' ? ' (JavaScript level chain)' : bands ? ' ' : ''}: ${perSample(w)} ns/sample, ${factor(w)}x real time ` +
      `(median of ${RUNS} × ${AUDIO_SECONDS} s; best ${factor(Math.min(...wall))}x); CPU time ${perSample(c)} ns/sample, ${factor(c)}x`,
  );
  if (sink === 42) console.log('');
}

const variant = process.argv[2];
if (variant === 'on' || variant === 'off') measure(variant === 'on', process.argv[3] === 'scalar' ? 'scalar' : 'auto');
else {
  const variants = process.argv.includes('--scalar') ? ['off', 'on', 'off scalar', 'on scalar'] : ['off', 'on'];
  for (const v of variants) {
    const flags = gc === undefined ? [] : ['--expose-gc'];
    const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', fileURLToPath(import.meta.url), ...v.split(' ')], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
