/** The tabulated weighting filters are exactly what the design's search gives (weighting-table.ts). */
import { describe, expect, it } from 'vitest';
import { type Biquad } from '../../src/measure/biquad.ts';
import { designWeighting, searchWeighting } from '../../src/measure/weighting-design.ts';
import { WEIGHTING_TABLE } from '../../src/measure/weighting-table.ts';

const bits = (q: Biquad): string[] => [q.b0, q.b1, q.b2, q.a1, q.a2].map((x) => Buffer.from(new Float64Array([x]).buffer).toString('hex'));

describe('the weighting table', () => {
  const rates = Object.keys(WEIGHTING_TABLE).map(Number);

  it('covers the common sample rates', () => {
    expect(rates).toEqual(expect.arrayContaining([8_000, 16_000, 22_050, 32_000, 44_100, 48_000, 96_000, 192_000]));
  });

  for (const fs of rates) {
    it(`at ${fs} Hz holds the searched filters bit for bit`, () => {
      const searched = searchWeighting(fs);
      const used = designWeighting(fs);
      expect(used.sampleRate).toBe(fs);
      for (const s of ['hp1', 'lp4', 'hp23'] as const) expect(bits(used[s])).toEqual(bits(searched[s]));
    });
  }

  it('leaves other rates to the search, with its range check', () => {
    expect(bits(designWeighting(12_000).lp4)).toEqual(bits(searchWeighting(12_000).lp4));
    expect(() => designWeighting(7_999)).toThrow(RangeError);
  });
});
