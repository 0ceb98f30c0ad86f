import { describe, expect, it } from 'vitest';
import { PreTriggerBuffer } from '../../src/clips/ring-buffer.ts';

function latest(r: PreTriggerBuffer, n: number): { values: number[]; runs: number } {
  const values: number[] = [];
  let runs = 0;
  r.readLatest(n, (d, s, e) => {
    runs++;
    for (let i = s; i < e; i++) values.push(d[i]!);
  });
  return { values, runs };
}

const seq = (from: number, to: number): Float64Array => Float64Array.from({ length: to - from }, (_, i) => from + i);

describe('pre-trigger ring buffer', () => {
  it('holds the newest samples, oldest first, across the wrap', () => {
    const r = new PreTriggerBuffer(10);
    r.write(seq(0, 4), 0, 4);
    expect(r.length).toBe(4);
    expect(latest(r, 10)).toEqual({ values: [0, 1, 2, 3], runs: 1 });
    r.write(seq(4, 13), 0, 9);
    expect(r.length).toBe(10);
    expect(latest(r, 10)).toEqual({ values: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], runs: 2 });
    expect(latest(r, 4).values).toEqual([9, 10, 11, 12]);
  });

  it('keeps only the tail of a block longer than itself, and a sub-range of a block', () => {
    const r = new PreTriggerBuffer(5);
    r.write(seq(0, 23), 0, 23);
    expect(latest(r, 5).values).toEqual([18, 19, 20, 21, 22]);
    r.write(seq(100, 110), 2, 4);
    expect(latest(r, 5).values).toEqual([20, 21, 22, 102, 103]);
  });

  it('forgets everything on clear, and a zero-capacity buffer holds nothing', () => {
    const r = new PreTriggerBuffer(5);
    r.write(seq(0, 3), 0, 3);
    r.clear();
    expect(r.length).toBe(0);
    expect(latest(r, 5).values).toEqual([]);
    const z = new PreTriggerBuffer(0);
    z.write(seq(0, 3), 0, 3);
    expect(z.length).toBe(0);
  });
});
