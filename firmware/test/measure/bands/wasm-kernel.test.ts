/**
 * The WebAssembly filter bank (src/measure/bands/wasm/): its committed module is exactly what
 * wat2wasm makes of the .wat; it runs the design of every supported sample rate; it reads within
 * 0.001 dB of the scalar f64 reference whatever the block size; and its f32 arithmetic keeps the
 * lowest bands, those behind the most decimations, inside the class 1 mask and linear over 80 dB.
 */
import { describe, expect, it } from 'vitest';
import { ThirdOctaveFilterBank } from '../../../src/measure/bands/filter-bank.ts';
import { designFilterBank } from '../../../src/measure/bands/filter-bank-design.ts';
import { breakpointOmega, breakpoints, class1Limits } from '../../../src/measure/bands/iec61260-limits.ts';
import { THIRD_OCTAVE_BANDS } from '../../../src/measure/bands/third-octave-bands.ts';
import { WASM_BASE64, WAT_SHA256 } from '../../../src/measure/bands/wasm/filter-bank-binary.ts';
import { fitsWasmKernel } from '../../../src/measure/bands/wasm/filter-bank-wasm.ts';
import { compileWat, sha256, watText } from '../../../src/measure/bands/wasm/compile.ts';
import { concat, noise, sine } from '../signals.ts';
import { settledBandLevel } from './harness.ts';

/** The documented tolerances of the f32 kernel against the f64 reference (filter-bank-wasm.ts). */
const TOLERANCE_DB = 0.001;
const FAR_TOLERANCE_DB = 0.005;

describe('the WebAssembly module', () => {
  it('is exactly what wat2wasm makes of filter-bank.wat (run compile.ts after editing the .wat)', async () => {
    const text = watText();
    expect(WAT_SHA256).toBe(sha256(text));
    expect(Buffer.from(await compileWat(text)).toString('base64')).toBe(WASM_BASE64);
  });

  it('holds the design of every supported sample rate, and the bank uses it', () => {
    for (const fs of [8_000, 11_025, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 88_200, 96_000, 176_400, 192_000]) {
      expect(fitsWasmKernel(designFilterBank(fs))).toBe(true);
      expect(new ThirdOctaveFilterBank(fs).kernelName).toBe('wasm');
    }
    expect(new ThirdOctaveFilterBank(48_000, 'scalar').kernelName).toBe('scalar');
  });
});

/** Runs a bank over `signal` in 1 s intervals, fed in blocks of `block`; levels per interval. */
function bankLevels(bank: ThirdOctaveFilterBank, signal: Float64Array, fs: number, block: number): (number | null)[][] {
  const out: (number | null)[][] = [];
  for (let s = 0; s < signal.length; s += fs) {
    const e = Math.min(signal.length, s + fs);
    for (let i = s; i < e; i += block) bank.process(signal, i, Math.min(e, i + block));
    let silent = true;
    for (let i = s; i < e && silent; i++) silent = signal[i] === 0;
    bank.finish(silent, 120);
    out.push([...bank.levels.levels]);
  }
  return out;
}

describe('against the scalar f64 reference', () => {
  for (const fs of [8_000, 22_050, 44_100, 48_000, 96_000, 192_000]) {
    it(`every band within ${TOLERANCE_DB} dB at ${fs} Hz, blocks of 1, 7, 480 and 4800 alike, silence null in both`, () => {
      // White noise (the low bands 40 dB under the whole), a 12.5 Hz tone 60 dB down, silence, a quiet tone, and noise again.
      const signal = concat(
        noise(2 * fs, 0.5, 11),
        sine(fs, 12.5, 1, 0.0005),
        new Float64Array(fs),
        sine(fs, 1000, 0.5, 0.01),
        noise(fs, 0.25, 5),
      );
      const reference = bankLevels(new ThirdOctaveFilterBank(fs, 'scalar'), signal, fs, 4800);
      for (const block of [1, 7, 480, 4800]) {
        const wasm = bankLevels(new ThirdOctaveFilterBank(fs), signal, fs, block);
        expect(wasm.length).toBe(reference.length);
        const failures: string[] = [];
        wasm.forEach((levels, k) => levels.forEach((l, b) => {
          const r = reference[k]![b]!;
          if ((l === null) !== (r === null) || (l !== null && r !== null && Math.abs(l - r) > TOLERANCE_DB)) failures.push(`interval ${k} band ${b}: ${l} vs ${r}`);
        }));
        expect(failures).toEqual([]);
        if (block !== 4800) expect(wasm).toEqual(bankLevels(new ThirdOctaveFilterBank(fs), signal, fs, 4800));
      }
      expect(reference[3]!.every((l) => l === null)).toBe(true);
    });
  }

  for (const fs of [44_100, 48_000, 192_000]) {
    it(`a near full-scale tone over noise 60 to 100 dB down: within ${FAR_TOLERANCE_DB} dB for bands within 90 dB of it, 0.05 dB within 110 dB (${fs} Hz)`, () => {
      const failures: string[] = [];
      for (const down of [60, 80, 100]) {
        const signal = sine(fs, 1000, 2, 0.9);
        const floor = noise(signal.length, 0.9 * 10 ** (-down / 20), 3);
        for (let i = 0; i < signal.length; i++) signal[i]! += floor[i]!;
        const reference = bankLevels(new ThirdOctaveFilterBank(fs, 'scalar'), signal, fs, 4800)[1]!;
        const wasm = bankLevels(new ThirdOctaveFilterBank(fs), signal, fs, 4800)[1]!;
        const loudest = Math.max(...reference.map((l) => l!));
        reference.forEach((r, b) => {
          const below = loudest - r!;
          const limit = below <= 90 ? FAR_TOLERANCE_DB : below <= 110 ? 0.05 : Infinity;
          const d = Math.abs(wasm[b]! - r!);
          if (d > limit) failures.push(`${down} dB: band ${b} ${below.toFixed(0)} dB under the tone differs by ${d.toFixed(4)} dB`);
        });
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('the lowest bands in f32, behind ten decimations and more', () => {
  const fm = (nominal: string): number => THIRD_OCTAVE_BANDS.find((b) => b.nominal === nominal)!.fm;
  const edge = breakpointOmega(0.5, 3);
  const omegas = [...breakpoints(3), edge * 0.999, edge * 1.001, 1 / (edge * 0.999), 1 / (edge * 1.001)];

  for (const [fs, nominal] of [[48_000, '10'], [48_000, '12.5'], [192_000, '10']] as const) {
    it(`the ${nominal} Hz band at ${fs} Hz stays within the class 1 mask at every breakpoint`, () => {
      const f0 = fm(nominal);
      const seconds = 60 / f0;
      const ref = settledBandLevel(fs, f0, nominal, seconds);
      expect(ref).toBeCloseTo(120, 1);
      const failures: string[] = [];
      for (const omega of omegas) {
        const dA = ref - settledBandLevel(fs, omega * f0, nominal, seconds);
        const lim = class1Limits(omega);
        if (dA < lim.min - 0.01 || dA > lim.max + 0.01) failures.push(`Ω=${omega.toFixed(4)}: ΔA ${dA.toFixed(2)} dB outside [${lim.min.toFixed(2)}, ${lim.max}]`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('reads a 10 Hz sine 1:1 from full scale down 80 dB, within ±0.05 dB (48 kHz)', () => {
    const f0 = fm('10');
    const top = settledBandLevel(48_000, f0, '10', 6);
    expect(top).toBeCloseTo(120, 1);
    for (let down = 20; down <= 80; down += 20) {
      const l = settledBandLevel(48_000, f0, '10', 6, 10 ** (-down / 20));
      expect(Math.abs(l - (top - down))).toBeLessThan(0.05);
    }
  });
});
