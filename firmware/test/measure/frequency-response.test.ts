/**
 * Frequency weighting conformance: steady sines at every 1/3-octave frequency
 * 10 Hz – 20 kHz measured through the engine (LAeq − LZeq, LCeq − LZeq).
 * IEC 61672-1:2013 Table 3 class 1 limits, plus the project's own bar at 48 kHz:
 * within ±0.1 dB of the Annex E formula to 10 kHz and ±0.5 dB to 16 kHz.
 */
import { describe, expect, it } from 'vitest';
import { annexEA, annexEC, thirdOctaveFrequency } from '../../src/measure/index.ts';
import { type Limits, table3 } from './reference/iec-tables.ts';
import { last, level, runEngine, sine } from './signals.ts';

interface Response {
  hz: number;
  exact: number;
  A: number;
  C: number;
}

/** Measures the steady-state A and C response at the exact 1/3-octave frequency of table row `nominal`. */
function measure(fs: number, nominalIndex: number): Response {
  const exact = thirdOctaveFrequency(10 + nominalIndex);
  // An interval of whole cycles (≥ 1 s), after ≥ 1 s of settling.
  const cycles = Math.max(1, Math.round(exact));
  const intervalSeconds = cycles / exact;
  const { intervals } = runEngine(sine(fs, exact, intervalSeconds * 3, 0.5), fs, { intervalSeconds });
  const r = intervals[2]!;
  return { hz: table3[nominalIndex]!.hz, exact, A: level(r.LAeq) - level(r.LZeq), C: level(r.LCeq) - level(r.LZeq) };
}

function within(dev: number, lim: Limits): boolean {
  return dev <= lim.upper + 1e-9 && dev >= lim.lower - 1e-9;
}

describe('frequency weighting, IEC 61672-1 Table 3 class 1', () => {
  for (const fs of [44_100, 48_000, 96_000]) {
    it(`A and C within class 1 at every 1/3-octave 10 Hz – 20 kHz at ${fs} Hz`, () => {
      const failures: string[] = [];
      table3.forEach((row, i) => {
        const m = measure(fs, i);
        if (m.exact > 0.49 * fs) return;
        if (!within(m.A - row.A, row.class1)) failures.push(`A ${row.hz} Hz: ${m.A.toFixed(2)} vs ${row.A}`);
        if (!within(m.C - row.C, row.class1)) failures.push(`C ${row.hz} Hz: ${m.C.toFixed(2)} vs ${row.C}`);
      });
      expect(failures).toEqual([]);
    });
  }

  for (const fs of [8_000, 11_025, 16_000, 22_050, 32_000]) {
    it(`A and C within class 1 up to 0.45·fs at ${fs} Hz`, () => {
      const failures: string[] = [];
      let checked = 0;
      table3.forEach((row, i) => {
        if (thirdOctaveFrequency(10 + i) > 0.45 * fs) return;
        const m = measure(fs, i);
        checked++;
        if (!within(m.A - row.A, row.class1)) failures.push(`A ${row.hz} Hz: ${m.A.toFixed(2)} vs ${row.A}`);
        if (!within(m.C - row.C, row.class1)) failures.push(`C ${row.hz} Hz: ${m.C.toFixed(2)} vs ${row.C}`);
      });
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(20);
    });
  }
});

describe('frequency weighting against the Annex E formula at 48 kHz', () => {
  const fs = 48_000;
  const rows = table3.map((_, i) => measure(fs, i));

  it('is within ±0.1 dB from 10 Hz to 10 kHz', () => {
    for (const m of rows.filter((r) => r.exact <= 10_001)) {
      expect.soft(Math.abs(m.A - annexEA(m.exact)), `A at ${m.hz} Hz`).toBeLessThanOrEqual(0.1);
      expect.soft(Math.abs(m.C - annexEC(m.exact)), `C at ${m.hz} Hz`).toBeLessThanOrEqual(0.1);
    }
  });

  it('is within ±0.5 dB from 10 kHz to 16 kHz', () => {
    const band = rows.filter((r) => r.exact > 10_001 && r.exact <= 16_001);
    expect(band.map((r) => r.hz)).toEqual([12_500, 16_000]);
    for (const m of band) {
      expect.soft(Math.abs(m.A - annexEA(m.exact)), `A at ${m.hz} Hz`).toBeLessThanOrEqual(0.5);
      expect.soft(Math.abs(m.C - annexEC(m.exact)), `C at ${m.hz} Hz`).toBeLessThanOrEqual(0.5);
    }
  });

  it('reads C or Z within ±0.2 dB of A at 1 kHz (IEC 61672-1 5.5.9)', () => {
    const k = rows.find((r) => r.hz === 1000)!;
    expect(Math.abs(k.A)).toBeLessThan(0.01);
    expect(Math.abs(k.C - k.A)).toBeLessThanOrEqual(0.2);
  });
});

describe('the plain bilinear transform is not good enough (why the design exists)', () => {
  it('the designed A filter is far better than −1.2 dB at 10 kHz and −2.7 dB at 12.5 kHz at 48 kHz', () => {
    const m10 = measure(48_000, 30);
    const m12 = measure(48_000, 31);
    expect(m10.hz).toBe(10_000);
    expect(Math.abs(m10.A - annexEA(m10.exact))).toBeLessThan(0.1);
    expect(Math.abs(m12.A - annexEA(m12.exact))).toBeLessThan(0.2);
  });
});
