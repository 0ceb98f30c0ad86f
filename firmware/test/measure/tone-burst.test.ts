/**
 * Time weighting and exposure: 4 kHz tone bursts, IEC 61672-1:2013 Table 4.
 * Each burst is cut from a steady sine at zero crossings and surrounded by
 * silence; the responses (LAFmax, LASmax, LAE relative to the steady LA) must be
 * within ±0.2 dB of the reference — the project's bar, inside the class 1 limits.
 */
import { describe, expect, it } from 'vitest';
import { LevelSummary } from '../../src/measure/index.ts';
import { table4 } from './reference/iec-tables.ts';
import { concat, last, level, runEngine, sine } from './signals.ts';

const BAR_DB = 0.2;
const TONE_HZ = 4000;
const PEAK = 0.5;

function steadyLA(fs: number): number {
  return level(last(runEngine(sine(fs, TONE_HZ, 3, PEAK), fs).intervals.slice(0, 3)).LAeq);
}

function burstResponse(fs: number, burstMs: number): { fast: number; slow: number; exposure: number } {
  const burstSamples = Math.round((burstMs / 1000) * fs);
  const lead = new Float64Array(Math.round(0.25 * fs));
  const burst = sine(fs, TONE_HZ, burstSamples / fs, PEAK);
  const total = Math.round(5 * fs);
  const tail = new Float64Array(total - lead.length - burst.length);
  // One interval spans the whole record, so the burst and the detectors' decay are all in it.
  const { intervals } = runEngine(concat(lead, burst, tail), fs, { intervalSeconds: 5 });
  const r = intervals[0]!;
  const summary = new LevelSummary(120);
  summary.addInterval(r);
  return { fast: level(r.LAFmax), slow: level(r.LASmax), exposure: level(summary.result().LAE) };
}

describe('4 kHz tone bursts (IEC 61672-1 Table 4)', () => {
  for (const fs of [48_000, 96_000]) {
    const la = steadyLA(fs);
    for (const row of table4) {
      it(`${row.burstMs} ms at ${fs} Hz: LAFmax, LAE${row.slow === null ? '' : ', LASmax'} within ±${BAR_DB} dB`, () => {
        const r = burstResponse(fs, row.burstMs);
        expect(Math.abs(r.fast - la - row.fast)).toBeLessThanOrEqual(BAR_DB);
        expect(Math.abs(r.exposure - la - row.exposure)).toBeLessThanOrEqual(BAR_DB);
        if (row.slow !== null) expect(Math.abs(r.slow - la - row.slow)).toBeLessThanOrEqual(BAR_DB);
      });
    }
  }

  it('covers every row of the reference table', () => {
    expect(table4.map((r) => r.burstMs)).toEqual([1000, 500, 200, 100, 50, 20, 10, 5, 2, 1, 0.5, 0.25]);
  });
});
