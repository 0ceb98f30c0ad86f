/**
 * IEC 61260-1:2014 class 1: the relative attenuation of the bands, measured by feeding sines
 * through the whole engine (so what folds through the decimations counts too) at the mask's
 * breakpoints and just either side of the band edges, at 44.1, 48 and 96 kHz; and the designed
 * response of every band at every rate on a dense grid, with its effective bandwidth.
 */
import { describe, expect, it } from 'vitest';
import { EFFECTIVE_BANDWIDTH_LIMIT_DB, G, breakpointOmega, breakpoints, class1Limits } from '../../../src/measure/bands/iec61260-limits.ts';
import { bandMagnitude, designFilterBank } from '../../../src/measure/bands/filter-bank-design.ts';
import { THIRD_OCTAVE_BANDS } from '../../../src/measure/bands/third-octave-bands.ts';
import { settledBandLevel } from './harness.ts';

function fmOf(nominal: string): number {
  return THIRD_OCTAVE_BANDS.find((b) => b.nominal === nominal)!.fm;
}

describe('the class 1 limits as transcribed (IEC 61260-1:2014 Table 1, Formulas 9–11)', () => {
  it('reads the table at the breakpoints of a 1/3-octave filter', () => {
    expect(class1Limits(1)).toEqual({ min: -0.4, max: 0.4 });
    const edge = breakpointOmega(0.5, 3);
    expect(edge).toBeCloseTo(10 ** 0.05, 12);
    expect(class1Limits(edge).max).toBeCloseTo(5.3, 9);
    expect(class1Limits(edge * (1 + 1e-9)).min).toBeCloseTo(1.2, 6);
    expect(class1Limits(breakpointOmega(1, 3)).min).toBeCloseTo(16.6, 9);
    expect(class1Limits(1 / breakpointOmega(2, 3)).min).toBeCloseTo(40.5, 9);
    expect(class1Limits(breakpointOmega(4, 3) * 3).min).toBe(70);
    expect(breakpointOmega(1, 1)).toBeCloseTo(G, 12);
  });
});

/** Breakpoints on both sides, and just inside and outside both band edges. */
function testOmegas(): number[] {
  const edge = breakpointOmega(0.5, 3);
  return [...breakpoints(3), edge * 0.999, edge * 1.001, 1 / (edge * 0.999), 1 / (edge * 1.001)];
}

describe('relative attenuation measured with sines through the engine', () => {
  const cases: [number, string[]][] = [
    [44_100, ['31.5', '1000', '8000', '16000']],
    [48_000, ['31.5', '1000', '5000', '16000']],
    [96_000, ['100', '2500', '10000', '20000']],
  ];
  for (const [fs, bands] of cases) {
    for (const nominal of bands) {
      it(`${nominal} Hz band at ${fs} Hz stays within the class 1 mask`, () => {
        const fm = fmOf(nominal);
        const seconds = Math.max(0.25, 60 / fm);
        const ref = settledBandLevel(fs, fm, nominal, seconds);
        // DESIGN §2: a full-scale sine at the midband reads fullScaleDb (120) in its band.
        expect(ref).toBeCloseTo(120, 1);
        const failures: string[] = [];
        for (const omega of testOmegas()) {
          const f = omega * fm;
          if (f >= fs / 2) continue;
          const dA = ref - settledBandLevel(fs, f, nominal, seconds);
          const lim = class1Limits(omega);
          if (dA < lim.min - 0.01 || dA > lim.max + 0.01) failures.push(`Ω=${omega.toFixed(4)}: ΔA ${dA.toFixed(2)} dB outside [${lim.min.toFixed(2)}, ${lim.max}]`);
        }
        expect(failures).toEqual([]);
      });
    }
  }
});

describe('designed response of every band', () => {
  for (const fs of [8_000, 16_000, 22_050, 32_000, 44_100, 48_000, 96_000, 192_000]) {
    it(`every band at ${fs} Hz: within the mask on a 1/200-decade grid and effective bandwidth within ±${EFFECTIVE_BANDWIDTH_LIMIT_DB} dB`, () => {
      const d = designFilterBank(fs);
      const failures: string[] = [];
      d.bands.forEach((b, i) => {
        const rate = fs / 2 ** b.stage;
        const ref = bandMagnitude(d, i, b.fm);
        expect(20 * Math.log10(ref)).toBeCloseTo(0, 6);
        for (let e = -1.3; e <= 1.3; e += 1 / 200) {
          const omega = 10 ** e;
          if (omega * b.fm >= rate / 2) break;
          const dA = -20 * Math.log10(bandMagnitude(d, i, omega * b.fm) / ref);
          const lim = class1Limits(omega);
          if (dA < lim.min || dA > lim.max) failures.push(`${b.nominal} Ω=${omega.toFixed(4)} ΔA=${dA.toFixed(2)}`);
        }
        // Be = ∫ |H(f)/H(fm)|² df / fm against Br = G^(1/6) − G^(−1/6).
        let be = 0;
        const df = b.fm / 2000;
        const top = Math.min(rate / 2, 20 * b.fm);
        for (let f = df / 2; f < top; f += df) be += (bandMagnitude(d, i, f) / ref) ** 2 * df;
        const deltaB = 10 * Math.log10(be / b.fm / (G ** (1 / 6) - G ** (-1 / 6)));
        if (Math.abs(deltaB) > EFFECTIVE_BANDWIDTH_LIMIT_DB) failures.push(`${b.nominal} ΔB=${deltaB.toFixed(3)} dB`);
      });
      expect(failures).toEqual([]);
    });
  }
});
