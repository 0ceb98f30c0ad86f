/**
 * The bands as the engine delivers them: which exist at each sample rate, energy
 * conservation against LZeq, linearity of a low band over 80 dB, block-size independence
 * and digital silence.
 */
import { describe, expect, it } from 'vitest';
import { LevelEngine } from '../../../src/measure/index.ts';
import { concat, noise, sine } from '../signals.ts';
import { runBands, settledBandLevel } from './harness.ts';

describe('bands present at each sample rate (upper edge below 0.45·fs, DESIGN §3)', () => {
  const top: [number, string][] = [[8_000, '3150'], [16_000, '6300'], [22_050, '8000'], [44_100, '16000'], [48_000, '16000'], [96_000, '20000'], [192_000, '20000']];
  for (const [fs, last] of top) {
    it(`${fs} Hz: 10 Hz to ${last} Hz`, () => {
      const engine = new LevelEngine({ sampleRate: fs, bands: 'third-octave' });
      const n = engine.bandNominals!;
      expect(n[0]).toBe('10');
      expect(n[n.length - 1]).toBe(last);
    });
  }

  it('uses the nominal names of IEC 61260-1 Annex E, in frequency order', () => {
    const n = new LevelEngine({ sampleRate: 96_000, bands: 'third-octave' }).bandNominals!;
    expect(n).toEqual(['10', '12.5', '16', '20', '25', '31.5', '40', '50', '63', '80', '100', '125', '160', '200', '250', '315', '400', '500', '630', '800',
      '1000', '1250', '1600', '2000', '2500', '3150', '4000', '5000', '6300', '8000', '10000', '12500', '16000', '20000']);
  });

  it('is off by default', () => {
    const engine = new LevelEngine({ sampleRate: 48_000 });
    expect(engine.bandNominals).toBeNull();
    let seen = false;
    const e2 = new LevelEngine({ sampleRate: 48_000, onInterval: (r) => { seen = r.bands !== undefined; } });
    e2.process(noise(48_000, 0.1));
    expect(seen).toBe(false);
    expect(engine.position).toBe(0);
  });
});

/** Deterministic multi-tone: `count` log-spaced tones from lo to hi Hz, equal amplitude, pseudo-random phases. */
function multiTone(fs: number, seconds: number, lo: number, hi: number, count: number): Float64Array {
  const out = new Float64Array(Math.round(fs * seconds));
  let seed = 99;
  for (let k = 0; k < count; k++) {
    const f = lo * (hi / lo) ** (k / (count - 1));
    seed = (seed * 16807) % 2147483647;
    const phase = (seed / 2147483647) * 2 * Math.PI;
    const w = (2 * Math.PI * f) / fs;
    for (let i = 0; i < out.length; i++) out[i]! += (0.5 / Math.sqrt(count)) * Math.sin(w * i + phase);
  }
  return out;
}

describe('energy: the bands add up to LZeq on band-limited sound', () => {
  for (const fs of [48_000, 44_100]) {
    it(`sum of band energies within 0.3 dB of LZeq for tones 20 Hz – 14 kHz at ${fs} Hz`, () => {
      const run = runBands(multiTone(fs, 4, 20, 14_000, 240), fs);
      for (const iv of run.intervals.slice(2)) {
        const sum = iv.ms.reduce((a, b) => a + b, 0);
        expect(Math.abs(10 * Math.log10(sum / iv.msZ))).toBeLessThan(0.3);
      }
    });
  }
});

describe('linearity of the 31.5 Hz band', () => {
  it('reads a 31.5 Hz sine 1:1 from full scale down 80 dB, within ±0.05 dB (48 kHz)', () => {
    const fm = 1000 * 10 ** (-15 / 10);
    const top = settledBandLevel(48_000, fm, '31.5', 2);
    expect(top).toBeCloseTo(120, 1);
    for (let down = 10; down <= 80; down += 10) {
      const l = settledBandLevel(48_000, fm, '31.5', 2, 10 ** (-down / 20));
      expect(Math.abs(l - (top - down))).toBeLessThan(0.05);
    }
  });
});

describe('block-size independence and silence', () => {
  for (const fs of [48_000, 22_050]) {
    it(`blocks of 1, 7, 480 and whole give identical bands at ${fs} Hz`, () => {
      const signal = concat(noise(fs, 0.05), sine(fs, 63, 0.7, 0.4), new Float64Array(fs), noise(fs / 2, 0.5, 7));
      const whole = runBands(signal, fs);
      expect(whole.intervals.length).toBe(4);
      for (const block of [1, 7, 480]) expect(runBands(signal, fs, { block }).intervals).toEqual(whole.intervals);
    });
  }

  it('reads null in every band for digital silence, and measures again when sound returns', () => {
    const fs = 48_000;
    const run = runBands(concat(noise(fs, 0.1), new Float64Array(fs), noise(fs, 0.1, 3)), fs);
    expect(run.intervals[1]!.silent).toBe(true);
    expect(run.intervals[1]!.levels.every((l) => l === null)).toBe(true);
    expect(run.intervals[0]!.levels.every((l) => l !== null)).toBe(true);
    expect(run.intervals[2]!.levels.every((l) => l !== null)).toBe(true);
  });
});
