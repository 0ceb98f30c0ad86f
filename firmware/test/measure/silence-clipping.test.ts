/** Digital silence and clipping are detected and reported, never silently averaged in. */
import { describe, expect, it } from 'vitest';
import { LevelSummary, RollingLevels } from '../../src/measure/index.ts';
import { concat, level, noise, runEngine, sine } from './signals.ts';

const FS = 48_000;

describe('digital silence', () => {
  it('reads null (never -Infinity or NaN) and is flagged silent', () => {
    const { intervals, ticks } = runEngine(new Float64Array(FS * 2), FS);
    expect(intervals).toHaveLength(2);
    for (const r of intervals) {
      expect(r.silent).toBe(true);
      expect([r.LAeq, r.LCeq, r.LZeq, r.LAFmax, r.LAFmin, r.LASmax, r.LCpeak]).toEqual([null, null, null, null, null, null, null]);
    }
    expect(ticks.every((t) => t === null)).toBe(true);
    expect(JSON.stringify(intervals[0])).not.toMatch(/Infinity|NaN/);
  });

  it('is left out of LAeq over a period, and counted', () => {
    const signal = concat(sine(FS, 1000, 2, 0.5), new Float64Array(FS * 2));
    const { intervals } = runEngine(signal, FS);
    const summary = new LevelSummary(120);
    for (const r of intervals) summary.addInterval(r);
    const s = summary.result();
    expect(s.silentSeconds).toBe(2);
    expect(s.duration).toBe(4);
    // Averaging the silent seconds in would read 3 dB lower.
    expect(level(s.LAeq)).toBeCloseTo(120 - 6.02, 1);
  });

  it('does not pull a rolling LAeq down', () => {
    const roll = new RollingLevels({ windowSeconds: 4, fullScaleDb: 120 });
    const { intervals } = runEngine(concat(sine(FS, 1000, 2, 0.5), new Float64Array(FS * 2)), FS);
    for (const r of intervals) roll.pushInterval(r);
    expect(roll.measuredSeconds).toBe(2);
    expect(level(roll.LAeq)).toBeCloseTo(120 - 6.02, 1);
  });

  it('a quiet but live input is not silence', () => {
    const r = runEngine(noise(FS * 2, 1e-6), FS).intervals[1]!;
    expect(r.silent).toBe(false);
    expect(level(r.LAeq)).toBeLessThan(20);
  });
});

describe('clipping', () => {
  it('counts samples at full scale in each interval', () => {
    const clippedSine = sine(FS, 100, 1, 2).map((x) => Math.max(-1, Math.min(32767 / 32768, x)));
    const { intervals } = runEngine(concat(sine(FS, 100, 1, 0.5), clippedSine), FS);
    expect(intervals[0]!.clippedSamples).toBe(0);
    expect(intervals[1]!.clippedSamples).toBeGreaterThan(FS / 2);
  });

  it('is totalled over a period', () => {
    const { intervals } = runEngine(noise(FS * 2, 1.5).map((x) => Math.max(-1, Math.min(1, x))), FS);
    const summary = new LevelSummary(120);
    for (const r of intervals) summary.addInterval(r);
    expect(summary.result().clippedSamples).toBe(intervals[0]!.clippedSamples + intervals[1]!.clippedSamples);
    expect(summary.result().clippedSamples).toBeGreaterThan(FS / 2);
  });
});
