/**
 * The WebAssembly level chain (src/measure/wasm/): its committed module is exactly what wat2wasm
 * makes of level-chain.wat; it is bit-identical to the JavaScript reference (level-chain-scalar.ts)
 * whatever the runs it is fed; and the engine built on it — with the 1/3-octave bank laid out in
 * its memory and fed by it — gives exactly what the engine on the JavaScript chain gives, and
 * exactly the bands a bank fed on its own gives (a bank switched on again starting from rest, though
 * it is laid out where the one before it was).
 */
import { describe, expect, it } from 'vitest';
import { type IntervalLevels, LevelEngine, ThirdOctaveFilterBank } from '../../src/measure/index.ts';
import { type ChainSums, chainConstants } from '../../src/measure/level-chain.ts';
import { ScalarLevelChain } from '../../src/measure/level-chain-scalar.ts';
import { WasmLevelChain } from '../../src/measure/wasm/level-chain-wasm.ts';
import { WASM_BASE64, WAT_SHA256 } from '../../src/measure/wasm/level-chain-binary.ts';
import { designWeighting } from '../../src/measure/weighting-design.ts';
import { compileWat, sha256, watText } from '../../src/measure/bands/wasm/compile.ts';
import { concat, noise, sine } from './signals.ts';

describe('the WebAssembly module', () => {
  it('is exactly what wat2wasm makes of level-chain.wat (run bands/wasm/compile.ts after editing the .wat)', async () => {
    const text = watText('level-chain');
    expect(WAT_SHA256).toBe(sha256(text));
    expect(Buffer.from(await compileWat(text, 'level-chain.wat')).toString('base64')).toBe(WASM_BASE64);
  });
});

/** Loud, quiet, clipped, silent, tiny (subnormal squares) and impulsive input. */
function testSignal(fs: number): Float64Array {
  const clipped = sine(fs / 2, 1000, 1, 1.2);
  for (let i = 0; i < clipped.length; i++) clipped[i] = Math.max(-1, Math.min(32767 / 32768, clipped[i]!));
  const impulse = new Float64Array(fs / 4);
  impulse[10] = 1;
  impulse[200] = -0.5;
  return concat(noise(fs, 0.5, 3), sine(fs / 2, 31.5, 1, 0.001), clipped, new Float64Array(2 * fs), noise(fs / 2, 1e-160, 9), impulse, noise(fs, 0.05, 4));
}

const fresh = (): ChainSums => ({ sumZ: NaN, sumC: NaN, sumA: NaN, peakC: NaN, fastMax: NaN, fastMin: NaN, slowMax: NaN, clipped: NaN });

describe('against the JavaScript reference', () => {
  for (const fs of [8_000, 44_100, 48_000, 192_000]) {
    it(`bit-identical sums, extremes and F level at ${fs} Hz, in runs of 1 to 5000 samples`, () => {
      const k = chainConstants(designWeighting(fs));
      const wasm = new WasmLevelChain(k);
      const scalar = new ScalarLevelChain(k);
      const signal = testSignal(fs);
      let seed = 7;
      let at = 0;
      let runs = 0;
      while (at < signal.length) {
        seed = (seed * 16807) % 2147483647;
        // Mostly short runs, some longer than the module's input buffer (2048).
        const n = Math.min(signal.length - at, seed % 5 === 0 ? 2049 + (seed % 3000) : 1 + (seed % 600));
        wasm.process(signal, at, at + n);
        scalar.process(signal, at, at + n);
        at += n;
        expect(Object.is(wasm.fast, scalar.fast)).toBe(true);
        if (++runs % 4 === 0) {
          const a = fresh(), b = fresh();
          wasm.take(a);
          scalar.take(b);
          expect(a).toEqual(b);
          if (runs % 12 === 0) {
            wasm.resetFastMin();
            scalar.resetFastMin();
          }
        }
      }
      const a = fresh(), b = fresh();
      wasm.take(a);
      scalar.take(b);
      expect(a).toEqual(b);
      expect(runs).toBeGreaterThan(20);
    });
  }
});

interface EngineRun {
  intervals: (Omit<IntervalLevels, 'bands'> & { bandLevels: (number | null)[] | null; bandMs: number[] | null })[];
  ticks: (number | null)[];
}

/** Runs an engine in blocks, switching the bands at the given samples; copies of every interval and tick. */
function runEngine(signal: Float64Array, fs: number, kernel: 'auto' | 'scalar', block: number, switches: Map<number, 'third-octave' | null>): EngineRun {
  const out: EngineRun = { intervals: [], ticks: [] };
  const engine = new LevelEngine({
    sampleRate: fs,
    kernel,
    bands: 'third-octave',
    onInterval: (r) => {
      const { bands, ...levels } = r;
      out.intervals.push({ ...levels, bandLevels: bands === undefined ? null : [...bands.levels], bandMs: bands === undefined ? null : [...bands.ms] });
    },
    onTick: (laf) => out.ticks.push(laf),
  });
  for (let i = 0; i < signal.length; i += block) {
    const s = switches.get(i);
    if (s !== undefined) engine.setBands(s);
    engine.process(signal, i, Math.min(signal.length, i + block));
  }
  engine.flush();
  return out;
}

describe('the engine on the WebAssembly chain', () => {
  for (const fs of [48_000, 22_050]) {
    it(`equals the engine on the JavaScript chain, bands switched off and on again, blocks of 1, 7, 480 and 4801 (${fs} Hz)`, () => {
      const signal = testSignal(fs);
      const block = 4801;
      // Off after about 1.5 s, on again after about 3 s (each taking effect at the next interval).
      const switches = new Map<number, 'third-octave' | null>([[block * Math.round((1.5 * fs) / block), null], [block * Math.round((3 * fs) / block), 'third-octave']]);
      const reference = runEngine(signal, fs, 'scalar', block, switches);
      expect(reference.intervals.some((r) => r.bandLevels === null)).toBe(true);
      expect(reference.intervals.at(-1)!.bandLevels).not.toBeNull();
      expect(reference.intervals.some((r) => r.clippedSamples > 0)).toBe(true);
      expect(reference.intervals.some((r) => r.silent)).toBe(true);
      for (const b of [1, 7, 480, 4801]) {
        const s = new Map([...switches].map(([at, v]) => [Math.ceil(at / b) * b, v] as const));
        const scalar = b === block ? reference : runEngine(signal, fs, 'scalar', b, s);
        expect(runEngine(signal, fs, 'auto', b, s)).toEqual(scalar);
      }
    });
  }

  it('hands its bank exactly the samples a bank fed on its own takes: the same bands, bit for bit', () => {
    const fs = 48_000;
    const signal = concat(noise(fs, 0.3, 21), sine(fs, 63, 1.5, 0.2), noise(fs / 2, 0.01, 5));
    const fromEngine: number[][] = [];
    const engine = new LevelEngine({ sampleRate: fs, bands: 'third-octave', onInterval: (r) => fromEngine.push([...r.bands!.ms]) });
    for (let i = 0; i < signal.length; i += 333) engine.process(signal, i, Math.min(signal.length, i + 333));
    engine.flush();
    const bank = new ThirdOctaveFilterBank(fs);
    expect(bank.kernelName).toBe('wasm');
    const alone: number[][] = [];
    for (let s = 0; s < signal.length; s += fs) {
      bank.process(signal, s, Math.min(signal.length, s + fs));
      bank.finish(false, 120);
      alone.push([...bank.levels.ms]);
    }
    expect(fromEngine).toEqual(alone);
    expect(fromEngine.length).toBe(3);
  });
});
