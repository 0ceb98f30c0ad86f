/** C-weighted peak of single cycles and half cycles, IEC 61672-1:2013 Table 5, class 1 limits. */
import { describe, expect, it } from 'vitest';
import { table5 } from './reference/iec-tables.ts';
import { concat, last, level, runEngine, sine } from './signals.ts';

const FS = 48_000;
const PEAK = 0.25;

function steadyLC(hz: number): number {
  return level(runEngine(sine(FS, hz, 3, PEAK), FS).intervals[2]!.LCeq);
}

/** A fraction of one cycle from a zero crossing, then silence; sign flips it. */
function cycles(hz: number, fraction: number, sign: 1 | -1): Float64Array {
  const n = Math.floor((fraction * FS) / hz);
  const part = sine(FS, hz, n / FS, sign * PEAK);
  return concat(new Float64Array(FS / 4), part, new Float64Array(FS));
}

function peakMinusLC(signal: string): number {
  const m = /(one cycle|positive or negative half cycle) ([\d.]+) (Hz|kHz)/.exec(signal);
  if (m === null) throw new Error(`unknown Table 5 signal "${signal}"`);
  const hz = Number(m[2]) * (m[3] === 'kHz' ? 1000 : 1);
  const lc = steadyLC(hz);
  const peakOf = (s: Float64Array): number => level(last(runEngine(s, FS, { intervalSeconds: 10 }).intervals).LCpeak);
  if (m[1] === 'one cycle') return peakOf(cycles(hz, 1, 1)) - lc;
  // Both polarities must meet the limit: report the one further from the reference.
  const pos = peakOf(cycles(hz, 0.5, 1)) - lc;
  const neg = peakOf(cycles(hz, 0.5, -1)) - lc;
  return Math.abs(pos - 2.4) > Math.abs(neg - 2.4) ? pos : neg;
}

describe('LCpeak of single cycles (IEC 61672-1 Table 5)', () => {
  for (const row of table5) {
    it(`${row.signal}: LCpeak − LC within class 1 of ${row.reference} dB`, () => {
      const dev = peakMinusLC(row.signal) - row.reference;
      expect(dev).toBeLessThanOrEqual(row.class1.upper);
      expect(dev).toBeGreaterThanOrEqual(row.class1.lower);
    });
  }
});
