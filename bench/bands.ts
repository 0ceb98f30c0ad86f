/**
 * The full measurement chain with and without 1/3-octave bands (DESIGN §3 "Bands"), 48 kHz
 * mono, 100 ms blocks, on one core: the chain of engine-throughput.ts (A, C, Z; F and S; Leq;
 * LCpeak; 10 ms F levels; 1 s intervals; rolling 5 min LAeq and LAF90), with the bank on or off.
 * Each variant runs in its own child process (STYLE: JIT state from one must not distort the other).
 * Run: npx tsx bench/bands.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LevelEngine, RollingLevels } from '../firmware/src/measure/index.ts';
import { pinkNoise } from './signals.ts';

const FS = 48_000;
const BLOCK = FS / 10;
const AUDIO_SECONDS = 300;
const RUNS = 5;

function measure(bands: boolean): void {
  const source = pinkNoise(FS * 10, 0.1, 42);
  const rolling = new RollingLevels({ windowSeconds: 300, fullScaleDb: 120 });
  let sink = 0;
  const engine = new LevelEngine({
    sampleRate: FS,
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
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = process.hrtime.bigint();
    feed(AUDIO_SECONDS);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)]!;
  const ns = (median * 1e9) / (AUDIO_SECONDS * FS);
  console.log(`engine full chain, 48 kHz mono, bands ${bands ? 'on ' : 'off'}: ${ns.toFixed(2)} ns/sample, ${(AUDIO_SECONDS / median).toFixed(0)}x real time (median of ${RUNS} × ${AUDIO_SECONDS} s; best ${(AUDIO_SECONDS / times[0]!).toFixed(0)}x)`);
  if (sink === 42) console.log('');
}

const variant = process.argv[2];
if (variant === 'on' || variant === 'off') measure(variant === 'on');
else {
  for (const v of ['off', 'on']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), v], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
