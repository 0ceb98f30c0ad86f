/** Background-relative rule: LAeq,T ≥ LAF90 (background before the event) + Δ. */
import { describe, expect, it } from 'vitest';
import { Driver, NOON, iso, only } from './harness.ts';

const rule = { type: 'background-relative' as const, id: 'rel', windowSeconds: 60, backgroundWindowSeconds: 1_800, deltaDb: 10, mergeGapSeconds: 0 };

describe('background-relative rule (LAeq,1min ≥ LAF90,30min + 10 dB)', () => {
  it('fires 10 dB above a 30 dB background and reports that background', () => {
    const d = new Driver([rule]);
    d.run(1_800, 30);
    expect(d.outputs).toEqual([]);
    d.run(120, 46);
    const started = only(d.started());
    expect(started.threshold).toBe(40);
    // LAeq,60 of n s at 46 dB and (60 − n) s at 30 dB: n·10^4.6 + (60 − n)·10^3 ≥ 60·10^4 first at n = 14.
    expect(started.startedAt).toBe(iso(NOON + (1_800 + 13) * 1_000));
    d.run(120, 30);
    const ended = only(d.ended());
    expect(ended.backgroundLAF90).toBe(30);
    expect(ended.threshold).toBe(40);
  });

  it('does not fire 8 dB above the background', () => {
    const d = new Driver([rule]);
    d.run(1_800, 30);
    d.run(600, 38);
    expect(d.outputs).toEqual([]);
  });

  it('freezes the background for the event: a 40 min party is one event, not ended by its own noise', () => {
    const d = new Driver([rule]);
    d.run(1_800, 30);
    d.run(2_400, 46);
    // By now LAF90 of the last 30 min is the party itself; an unfrozen threshold would be 56 dB.
    expect(d.ended()).toEqual([]);
    d.run(120, 30);
    const ended = only(d.ended());
    expect(ended.backgroundLAF90).toBe(30);
    expect(ended.durationSeconds).toBeGreaterThan(2_400);
    expect(d.started()).toHaveLength(1);
  });

  it('uses the 10 ms F levels when the engine supplies them', () => {
    const d = new Driver([rule]);
    // 30 min of F levels alternating 25 and 35 dB: 90 % of the time above 25 dB.
    for (let s = 0; s < 1_800; s++) {
      for (let k = 0; k < 100; k++) d.engine.pushTick(k % 2 === 0 ? 25 : 35);
      d.run(1, 32);
    }
    d.run(60, 36);
    expect(only(d.started()).threshold).toBe(35);
  });
});
