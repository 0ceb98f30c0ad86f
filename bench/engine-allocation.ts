/**
 * Steady-state allocation of the measurement engine (with 5 min and 1 h rolling
 * windows): after a warm-up, process 1 h and then 2 h more of 48 kHz audio and
 * report retained heap growth per second of audio between forced collections.
 * The slope between the two marks separates a leak (grows with audio) from the
 * constant ±50 KB of V8 bookkeeping any run shows.
 * Run: node --expose-gc --import tsx bench/engine-allocation.ts
 */
import { LevelEngine, RollingLevels } from '../firmware/src/measure/index.ts';
import { pinkNoise } from './signals.ts';

const FS = 48_000;
const BLOCK = 4_800;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.log('engine allocation: run with node --expose-gc');
  process.exit(2);
}

const source = pinkNoise(FS * 10, 0.1, 7);
const five = new RollingLevels({ windowSeconds: 300, fullScaleDb: 120 });
const hour = new RollingLevels({ windowSeconds: 3600, fullScaleDb: 120 });
let sink = 0;
const engine = new LevelEngine({
  sampleRate: FS,
  onInterval: (r) => {
    five.pushInterval(r);
    hour.pushInterval(r);
    sink += (five.LAeq ?? 0) + (hour.LAFn(90) ?? 0);
  },
  onTick: (laf) => {
    five.pushTick(laf);
    hour.pushTick(laf);
  },
});

function feed(seconds: number): void {
  for (let b = 0; b < (seconds * FS) / BLOCK; b++) {
    const off = (b * BLOCK) % source.length;
    engine.process(source, off, off + BLOCK);
  }
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

feed(120);
const start = heapAfterGc();
feed(3600);
const oneHour = heapAfterGc();
feed(7200);
const threeHours = heapAfterGc();
const perSecond = (threeHours - oneHour) / 7200;
console.log(
  `engine allocation, 48 kHz after warm-up: retained heap ${signed(oneHour - start)} B after 1 h, ${signed(threeHours - start)} B after 3 h; ` +
    `slope ${perSecond.toFixed(2)} bytes per second of audio`,
);

function signed(n: number): string {
  return (n >= 0 ? '+' : '') + String(n);
}
if (sink === 42) console.log('');
