/** Test signals and a small harness that runs the engine and keeps copies of its output. */
import { LevelEngine, type IntervalLevels } from '../../src/measure/index.ts';

export function sine(fs: number, hz: number, seconds: number, peak = 1, phase = 0): Float64Array {
  const n = Math.round(seconds * fs);
  const out = new Float64Array(n);
  const w = (2 * Math.PI * hz) / fs;
  for (let i = 0; i < n; i++) out[i] = peak * Math.sin(w * i + phase);
  return out;
}

/** Deterministic white noise in [−amp, amp) (xorshift32). */
export function noise(n: number, amp: number, seed = 12345): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296 * 2 - 1) * amp;
  }
  return out;
}

export function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface Run {
  intervals: IntervalLevels[];
  ticks: (number | null)[];
}

/** Runs `signal` through a fresh engine in blocks of `block` samples, flushing at the end. */
export function runEngine(signal: Float64Array, fs: number, opts: { intervalSeconds?: number; fullScaleDb?: number; block?: number } = {}): Run {
  const intervals: IntervalLevels[] = [];
  const ticks: (number | null)[] = [];
  const engine = new LevelEngine({
    sampleRate: fs,
    ...(opts.intervalSeconds === undefined ? {} : { intervalSeconds: opts.intervalSeconds }),
    ...(opts.fullScaleDb === undefined ? {} : { fullScaleDb: opts.fullScaleDb }),
    onInterval: (r) => intervals.push({ ...r }),
    onTick: (l) => ticks.push(l),
  });
  const block = opts.block ?? signal.length;
  for (let i = 0; i < signal.length; i += block) engine.process(signal, i, Math.min(signal.length, i + block));
  engine.flush();
  return { intervals, ticks };
}

export function last<T>(xs: readonly T[]): T {
  const x = xs[xs.length - 1];
  if (x === undefined) throw new Error('empty');
  return x;
}

export function level(x: number | null): number {
  if (x === null) throw new Error('expected a level, got null');
  return x;
}
