/** The 10 ms ticks fall at ⌊k·fs/100⌋ exactly, also past the point where k·fs leaves 32-bit integers (engine.ts). */
import { describe, expect, it } from 'vitest';
import { LevelEngine } from '../../src/measure/index.ts';

const boundaryOf = (e: LevelEngine): ((k: number) => number) => {
  const f = (e as unknown as { tickBoundary(k: number): number }).tickBoundary;
  return (k) => f.call(e, k);
};

describe('tick boundaries', () => {
  for (const fs of [8_000, 11_025, 22_050, 44_100, 48_000, 96_000, 192_000, 12_345]) {
    it(`at ${fs} Hz are ⌊k·fs/100⌋ for ticks from the first to a year's`, () => {
      const boundary = boundaryOf(new LevelEngine({ sampleRate: fs }));
      const ks: number[] = [];
      for (let k = 1; k <= 1_000; k++) ks.push(k);
      // Around k·fs = 2³¹ and far beyond it (a year of ticks).
      const k31 = Math.floor(2 ** 31 / fs);
      for (let k = k31 - 300; k <= k31 + 300; k++) ks.push(k);
      for (let k = 3_153_600_000 - 300; k <= 3_153_600_000; k++) ks.push(k);
      const wrong = ks.filter((k) => BigInt(boundary(k)) !== (BigInt(k) * BigInt(fs)) / 100n);
      expect(wrong).toEqual([]);
    });
  }
});
