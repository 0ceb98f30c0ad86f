/** Absolute rule: LAeq,T ≥ X. */
import { describe, expect, it } from 'vitest';
import { EventEnded, EventStarted } from '@earshot/shared';
import { DEVICE, Driver, NOON, energyMeanDb, iso, only } from './harness.ts';

describe('absolute rule (LAeq,5min ≥ 35 dB)', () => {
  const rule = { type: 'absolute' as const, id: 'abs', windowSeconds: 300, thresholdDb: 35, mergeGapSeconds: 0 };

  it('fires at the first second whose LAeq,5min reaches 35 dB, and ends when it falls below 32 dB', () => {
    const d = new Driver([rule]);
    const history: number[] = [];
    const feed = (n: number, db: number): void => {
      for (let i = 0; i < n; i++) history.push(db);
      d.run(n, db);
    };
    feed(300, 30);
    feed(120, 45);
    feed(600, 25);
    // Brute force: the first second at which the energy mean of the last 300 s is ≥ 35 dB.
    const leq5 = (i: number): number => energyMeanDb(history.slice(Math.max(0, i - 299), i + 1));
    let first = -1;
    let fall = -1;
    for (let i = 299; i < history.length; i++) {
      if (first < 0 && leq5(i) >= 35) first = i;
      else if (first >= 0 && fall < 0 && leq5(i) < 32) fall = i;
    }
    expect(first).toBeGreaterThan(300);
    const started = only(d.started());
    expect(EventStarted.parse(started)).toEqual(started);
    expect(started.startedAt).toBe(iso(NOON + first * 1_000));
    expect(started.eventId).toBe(`${DEVICE}-${NOON + first * 1_000}-abs`);
    expect(started.threshold).toBe(35);
    expect(started.level).toBeCloseTo(leq5(first), 2);
    const ended = only(d.ended());
    expect(EventEnded.parse(ended)).toEqual(ended);
    expect(ended.endedAt).toBe(iso(NOON + fall * 1_000));
    expect(ended.durationSeconds).toBe(fall - first);
    expect(ended.LAeq).toBeCloseTo(energyMeanDb(history.slice(first, fall)), 2);
    expect(ended.reason).toBeUndefined();
  });

  it('does not fire on a steady 34.9 dB, nor before the window is full', () => {
    const d = new Driver([rule]);
    d.run(900, 34.9);
    expect(d.outputs).toEqual([]);
    const loud = new Driver([rule]);
    // Loud from the first second: LAeq,5min exists only once 5 min have been measured.
    loud.run(299, 50);
    expect(loud.outputs).toEqual([]);
    loud.run(1, 50);
    expect(only(loud.started()).startedAt).toBe(iso(NOON + 299_000));
  });
});
