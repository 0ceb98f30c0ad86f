/** Level linearity: a 1 kHz float32 sine from 0 to −100 dBFS in 10 dB steps reads within ±0.02 dB. */
import { describe, expect, it } from 'vitest';
import { level, runEngine, sine } from './signals.ts';

describe('level linearity at 1 kHz', () => {
  for (const fs of [44_100, 48_000]) {
    it(`reads fullScaleDb + dBFS within ±0.02 dB at ${fs} Hz, 0 to −100 dBFS`, () => {
      for (let dbfs = 0; dbfs >= -100; dbfs -= 10) {
        const s = sine(fs, 1000, 3, 10 ** (dbfs / 20));
        for (let i = 0; i < s.length; i++) s[i] = Math.fround(s[i]!); // float32 input
        const r = runEngine(s, fs, { fullScaleDb: 120 }).intervals[2]!;
        expect.soft(Math.abs(level(r.LAeq) - (120 + dbfs)), `LAeq at ${dbfs} dBFS`).toBeLessThanOrEqual(0.02);
        expect.soft(Math.abs(level(r.LCeq) - (120 + dbfs)), `LCeq at ${dbfs} dBFS`).toBeLessThanOrEqual(0.02);
        expect.soft(Math.abs(level(r.LZeq) - (120 + dbfs)), `LZeq at ${dbfs} dBFS`).toBeLessThanOrEqual(0.02);
      }
    });
  }

  it('follows fullScaleDb exactly (DESIGN §2: peak 0.5 reads fullScaleDb − 6.02)', () => {
    const r = runEngine(sine(48_000, 1000, 3, 0.5), 48_000, { fullScaleDb: 94 }).intervals[2]!;
    expect(level(r.LAeq)).toBeCloseTo(94 - 6.0206, 2);
  });

  it('S and Leq agree with F within 0.1 dB on a steady 1 kHz tone (IEC 61672-1 5.8.3)', () => {
    const r = runEngine(sine(48_000, 1000, 4, 0.3), 48_000).intervals[3]!;
    expect(Math.abs(level(r.LASmax) - level(r.LAFmax))).toBeLessThanOrEqual(0.1);
    expect(Math.abs(level(r.LAeq) - level(r.LAFmax))).toBeLessThanOrEqual(0.1);
  });
});
