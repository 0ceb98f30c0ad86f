/** Runs the engine with 1/3-octave bands and keeps deep copies of each interval's band levels. */
import { LevelEngine } from '../../../src/measure/index.ts';

export interface BandRun {
  nominal: readonly string[];
  /** Per interval: band levels (null in silence) and mean squares, and the interval's msZ. */
  intervals: { levels: (number | null)[]; ms: number[]; msZ: number; silent: boolean }[];
}

export function runBands(signal: Float64Array, fs: number, opts: { intervalSeconds?: number; block?: number } = {}): BandRun {
  const intervals: BandRun['intervals'] = [];
  const engine = new LevelEngine({
    sampleRate: fs,
    bands: 'third-octave',
    ...(opts.intervalSeconds === undefined ? {} : { intervalSeconds: opts.intervalSeconds }),
    onInterval: (r) => intervals.push({ levels: [...r.bands!.levels], ms: [...r.bands!.ms], msZ: r.msZ, silent: r.silent }),
  });
  const block = opts.block ?? signal.length;
  for (let i = 0; i < signal.length; i += block) engine.process(signal, i, Math.min(signal.length, i + block));
  engine.flush();
  return { nominal: engine.bandNominals!, intervals };
}

export function sineAt(fs: number, hz: number, seconds: number, peak = 1): Float64Array {
  const out = new Float64Array(Math.round(seconds * fs));
  const w = (2 * Math.PI * hz) / fs;
  for (let i = 0; i < out.length; i++) out[i] = peak * Math.sin(w * i);
  return out;
}

/** The level of band `nominal` in the second interval of a sine lasting two intervals of `seconds` (the first lets the filters settle). */
export function settledBandLevel(fs: number, hz: number, nominal: string, seconds: number, peak = 1): number {
  const run = runBands(sineAt(fs, hz, 2 * seconds, peak), fs, { intervalSeconds: seconds });
  const i = run.nominal.indexOf(nominal);
  if (i < 0) throw new Error(`no band ${nominal} at ${fs} Hz`);
  const l = run.intervals[1]!.levels[i];
  if (l === null || l === undefined) throw new Error('expected a level');
  return l;
}
