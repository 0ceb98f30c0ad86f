/** Impulsive rule: LAFmax ≥ X. */
import { describe, expect, it } from 'vitest';
import { Driver, NOON, iso, only } from './harness.ts';

const rule = { type: 'impulsive' as const, id: 'slam', thresholdDb: 80, mergeGapSeconds: 10 };

describe('impulsive rule (LAFmax ≥ 80 dB)', () => {
  it('fires on a door slam and ends after the merge gap with its LAFmax', () => {
    const d = new Driver([rule]);
    d.run(60, 35);
    d.run(1, { la: 55, lafMax: 84.2 });
    const started = only(d.started());
    expect(started.startedAt).toBe(iso(NOON + 60_000));
    expect(started.level).toBe(84.2);
    d.run(9, 35);
    expect(d.ended()).toEqual([]);
    d.run(1, 35);
    const ended = only(d.ended());
    expect(ended.LAFmax).toBe(84.2);
    expect(ended.LAeq).toBe(55);
    expect(ended.durationSeconds).toBe(1);
    expect(ended.endedAt).toBe(iso(NOON + 61_000));
  });

  it('does not fire at 79.9 dB, nor on a loud but steady LAeq', () => {
    const d = new Driver([rule]);
    d.run(10, { la: 60, lafMax: 79.9 });
    d.run(10, { la: 79, lafMax: 79 });
    expect(d.outputs).toEqual([]);
  });
});
