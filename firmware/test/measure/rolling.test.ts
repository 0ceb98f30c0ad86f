/** Sliding windows: O(1) updates that agree with a brute-force recomputation. */
import { describe, expect, it } from 'vitest';
import { LevelHistogram, RollingLevels, type IntervalLevels } from '../../src/measure/index.ts';
import { RollingMax } from '../../src/measure/rolling-max.ts';
import { RollingEnergy } from '../../src/measure/rolling-energy.ts';

function interval(ms: number, lafMax: number | null, silent = false): IntervalLevels {
  return {
    index: 0, startSample: 0, samples: 48_000, startSeconds: 0, durationSeconds: 1,
    LAeq: null, LCeq: null, LZeq: null, LAFmax: lafMax, LAFmin: null, LASmax: null, LCpeak: null,
    msA: ms, msC: ms, msZ: ms, clippedSamples: 0, silent,
  };
}

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('RollingEnergy', () => {
  it('matches a brute-force sum after many laps (drift corrected)', () => {
    const r = rng(1);
    const win = 37;
    const e = new RollingEnergy(win);
    const all: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      // Wildly varying magnitudes, as real levels do (60 dB range).
      const ms = 10 ** (6 * r() - 3);
      all.push(ms);
      e.push(ms, 1);
      const tail = all.slice(-win);
      const exact = tail.reduce((a, b) => a + b, 0) / tail.length;
      expect(Math.abs(e.meanSquare - exact) / exact).toBeLessThan(1e-9);
    }
  });
});

describe('RollingMax', () => {
  it('matches a brute-force maximum, with gaps', () => {
    const r = rng(2);
    const win = 50;
    const m = new RollingMax(win);
    const all: (number | null)[] = [];
    for (let i = 0; i < 5000; i++) {
      const v = r() < 0.1 ? null : Math.round(r() * 1000) / 10;
      all.push(v);
      m.push(v);
      const tail = all.slice(-win).filter((x): x is number => x !== null);
      expect(m.max).toBe(tail.length === 0 ? null : Math.max(...tail));
    }
  });
});

describe('percentiles', () => {
  it('LN is the level exceeded N % of the time, at 0.1 dB', () => {
    const h = new LevelHistogram();
    for (let i = 1; i <= 100; i++) h.add(30 + i / 10); // 30.1 … 40.0
    expect(h.exceeded(10)).toBe(39.1); // 9 levels above it: exceeded 9 % of the time, reached 10 %
    expect(h.exceeded(90)).toBe(31.1);
    expect(h.exceeded(0)).toBe(40);
    expect(h.exceeded(100)).toBe(30.1);
    expect(new LevelHistogram().exceeded(90)).toBeNull();
  });

  it('a rolling LAF90 forgets what left the window', () => {
    const roll = new RollingLevels({ windowSeconds: 10, fullScaleDb: 120 });
    for (let i = 0; i < 1000; i++) roll.pushTick(70); // 10 s loud
    expect(roll.LAFn(90)).toBe(70);
    for (let i = 0; i < 1000; i++) roll.pushTick(i % 10 === 0 ? 60 : 30); // 10 s quiet with 10 % peaks
    expect(roll.LAFn(90)).toBe(30);
    expect(roll.LAFn(10)).toBe(60);
  });
});

describe('RollingLevels', () => {
  it('gives LAeq,T, LAE,T and LAFmax,T over the last T seconds', () => {
    const roll = new RollingLevels({ windowSeconds: 300, fullScaleDb: 120 });
    // 10 min: first 5 min at 60 dB, then 5 min alternating 50 / 70 dB.
    const msOf = (db: number): number => 0.5 * 10 ** ((db - 120) / 10);
    for (let i = 0; i < 300; i++) roll.pushInterval(interval(msOf(60), 62));
    expect(roll.LAeq).toBeCloseTo(60, 9);
    expect(roll.LAE).toBeCloseTo(60 + 10 * Math.log10(300), 9);
    for (let i = 0; i < 300; i++) roll.pushInterval(interval(msOf(i % 2 ? 70 : 50), i % 2 ? 71 : 51));
    expect(roll.LAeq).toBeCloseTo(10 * Math.log10((10 ** 7 + 10 ** 5) / 2), 9);
    expect(roll.LAFmax).toBe(71);
  });

  it('keeps windows up to 24 h', () => {
    const roll = new RollingLevels({ windowSeconds: 86_400, fullScaleDb: 120 });
    for (let i = 0; i < 1000; i++) roll.pushTick(40);
    expect(roll.LAFn(90)).toBe(40);
    expect(() => new RollingLevels({ windowSeconds: 86_401, fullScaleDb: 120 })).toThrow(RangeError);
  });
});
