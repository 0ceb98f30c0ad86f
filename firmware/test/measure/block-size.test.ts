/** Processing the same audio in blocks of any size gives identical results (to 1e-9 dB; in fact bit-identical). */
import { describe, expect, it } from 'vitest';
import type { IntervalLevels } from '../../src/measure/index.ts';
import { concat, noise, runEngine, sine } from './signals.ts';

const FIELDS = ['LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak'] as const;

function maxDifference(a: IntervalLevels[], b: IntervalLevels[]): number {
  expect(b.length).toBe(a.length);
  let worst = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(y.startSample).toBe(x.startSample);
    expect(y.samples).toBe(x.samples);
    for (const f of FIELDS) {
      const u = x[f], v = y[f];
      expect(u === null).toBe(v === null);
      if (u !== null && v !== null) worst = Math.max(worst, Math.abs(u - v));
    }
  });
  return worst;
}

describe('block-size independence', () => {
  for (const fs of [48_000, 44_100, 22_050]) {
    it(`blocks of 1, 7, 480 and 48 000 samples agree at ${fs} Hz`, () => {
      // Music-like: noise, a tone, a burst, silence and a partial last interval.
      const signal = concat(noise(fs, 0.05), sine(fs, 440, 1.3, 0.4), new Float64Array(fs), noise(fs / 2, 0.9, 7));
      const whole = runEngine(signal, fs);
      expect(whole.intervals.length).toBe(4);
      for (const block of [1, 7, 480, 48_000]) {
        const run = runEngine(signal, fs, { block });
        expect(maxDifference(whole.intervals, run.intervals)).toBeLessThanOrEqual(1e-9);
        expect(run.ticks).toEqual(whole.ticks);
      }
    });
  }

  it('ticks every 10 ms, also when 10 ms is not a whole number of samples (22 050 Hz)', () => {
    const { ticks } = runEngine(noise(22_050 * 3, 0.1), 22_050);
    expect(ticks.length).toBe(300);
  });
});
