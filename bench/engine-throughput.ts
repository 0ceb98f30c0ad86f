/**
 * Measurement engine throughput on one core: the full chain (A, C, Z weighting;
 * F and S; Leq; LCpeak; 10 ms F levels; 1 s intervals; rolling 5 min LAeq and
 * LAF90) on 48 kHz mono, in 100 ms blocks as the live monitor feeds it. Printed from the
 * median wall-clock run and from the median of the process's CPU time (steadier on a machine
 * shared with other work: time the process was not running is not counted).
 * Run: npx tsx bench/engine-throughput.ts
 */
import { LevelEngine, RollingLevels } from '../firmware/src/measure/index.ts';
import { pinkNoise } from './signals.ts';

const FS = 48_000;
const BLOCK = FS / 10;
const AUDIO_SECONDS = 600;
const RUNS = 5;

const source = pinkNoise(FS * 10, 0.1, 42);
const rolling = new RollingLevels({ windowSeconds: 300, fullScaleDb: 120 });
let sink = 0;
const engine = new LevelEngine({
  sampleRate: FS,
  onInterval: (r) => {
    rolling.pushInterval(r);
    sink += (rolling.LAeq ?? 0) + (rolling.LAFn(90) ?? 0);
  },
  onTick: (laf) => rolling.pushTick(laf),
});

function feed(seconds: number): void {
  const blocks = (seconds * FS) / BLOCK;
  for (let b = 0; b < blocks; b++) {
    const off = (b * BLOCK) % source.length;
    engine.process(source, off, off + BLOCK);
  }
}

feed(60); // warm-up: JIT and a minute of windows
const times: number[] = [];
const cpu: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  feed(AUDIO_SECONDS);
  times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1e6);
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)]!;
const best = times[0]!;
const cpuMedian = cpu[Math.floor(RUNS / 2)]!;
const ns = (median * 1e9) / (AUDIO_SECONDS * FS);
const cpuNs = (cpuMedian * 1e9) / (AUDIO_SECONDS * FS);
console.log(
  `engine full chain, 48 kHz mono, 100 ms blocks: ${(AUDIO_SECONDS / median).toFixed(0)}x real time (median of ${RUNS} × ${AUDIO_SECONDS} s), ${ns.toFixed(2)} ns/sample; ` +
    `best ${(AUDIO_SECONDS / best).toFixed(0)}x; CPU time ${cpuNs.toFixed(2)} ns/sample, ${(AUDIO_SECONDS / cpuMedian).toFixed(0)}x`,
);
if (sink === 42) console.log(''); // keep the results observable to the JIT
