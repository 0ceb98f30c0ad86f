/** Event lifecycle: min duration, hysteresis, merge gap, cooldown, the hourly cap, ids and bodies. */
import { describe, expect, it } from 'vitest';
import { EventEnded, EventId, EventStarted } from '@earshot/shared';
import { DEVICE, Driver, NOON, energyMeanDb, iso, only } from './harness.ts';

/** LAeq,1s ≥ 50 dB: the per-second level decides, so each second's outcome is known. */
function rule(overrides: Record<string, number> = {}) {
  return { type: 'absolute' as const, id: 'loud', windowSeconds: 1, thresholdDb: 50, hysteresisDb: 3, minDurationSeconds: 0, mergeGapSeconds: 0, cooldownSeconds: 0, ...overrides };
}

describe('minimum duration', () => {
  it('starts only once the trigger has held minDurationSeconds, dated from the first second', () => {
    const d = new Driver([rule({ minDurationSeconds: 3 })]);
    d.run(10, 40);
    d.run(2, 55);
    d.run(1, 40);
    d.run(2, 55);
    d.run(1, 40);
    expect(d.outputs).toEqual([]);
    d.run(2, 55);
    expect(d.outputs).toEqual([]);
    const started = only(d.run(1, 55));
    expect(started.startedAt).toBe(iso(NOON + 16_000));
    d.run(1, 40);
    expect(only(d.ended()).durationSeconds).toBe(3);
  });
});

describe('hysteresis', () => {
  it('holds the event while the level stays within hysteresisDb below the threshold', () => {
    const d = new Driver([rule({ hysteresisDb: 3 })]);
    d.run(5, 55);
    d.run(5, 48);
    expect(d.ended()).toEqual([]);
    d.run(1, 46.9);
    const ended = only(d.ended());
    expect(ended.durationSeconds).toBe(10);
    expect(ended.LAeq).toBeCloseTo(energyMeanDb([55, 55, 55, 55, 55, 48, 48, 48, 48, 48]), 2);
  });

  it('with no hysteresis the same sequence ends as soon as the level is below the threshold', () => {
    const d = new Driver([rule({ hysteresisDb: 0 })]);
    d.run(5, 55);
    d.run(5, 48);
    expect(only(d.ended()).durationSeconds).toBe(5);
  });

  it('does not trigger between the hold level and the threshold', () => {
    const d = new Driver([rule({ hysteresisDb: 3 })]);
    d.run(60, 49.9);
    expect(d.outputs).toEqual([]);
  });
});

describe('merge gap', () => {
  it('makes triggers closer than mergeGapSeconds one event, gaps included in its levels', () => {
    const d = new Driver([rule({ mergeGapSeconds: 10 })]);
    d.run(5, 55);
    d.run(9, 40);
    d.run(5, 55);
    expect(d.ended()).toEqual([]);
    d.run(9, 40);
    expect(d.ended()).toEqual([]);
    d.run(1, 40);
    const ended = only(d.ended());
    expect(only(d.started()).startedAt).toBe(iso(NOON));
    expect(ended.durationSeconds).toBe(19);
    expect(ended.endedAt).toBe(iso(NOON + 19_000));
    expect(ended.LAeq).toBeCloseTo(energyMeanDb([...Array<number>(10).fill(55), ...Array<number>(9).fill(40)]), 2);
    expect(ended.LAFmax).toBe(55);
  });

  it('keeps triggers mergeGapSeconds or more apart as separate events', () => {
    const d = new Driver([rule({ mergeGapSeconds: 10 })]);
    d.run(5, 55);
    d.run(10, 40);
    d.run(5, 55);
    d.run(10, 40);
    expect(d.started().map((s) => s.startedAt)).toEqual([iso(NOON), iso(NOON + 15_000)]);
    expect(d.ended().map((e) => e.durationSeconds)).toEqual([5, 5]);
  });
});

describe('cooldown', () => {
  it('suppresses triggers for cooldownSeconds after an end, counting each episode once', () => {
    const d = new Driver([rule({ cooldownSeconds: 60 })]);
    d.run(5, 55);
    d.run(20, 40);
    expect(d.ended()).toHaveLength(1);
    // Two episodes inside the cooldown (which ran from the end, at 6 s, to 66 s).
    d.run(3, 55);
    d.run(5, 40);
    d.run(3, 55);
    d.run(30, 40);
    expect(d.started()).toHaveLength(1);
    expect(d.engine.suppressedTriggers()).toEqual({ loud: { cooldown: 2, hourlyCap: 0 } });
    d.run(3, 55);
    expect(d.started()).toHaveLength(2);
  });

  it('starts an event once the cooldown is over if the noise is still going on', () => {
    const d = new Driver([rule({ cooldownSeconds: 30 })]);
    d.run(5, 55);
    d.run(1, 40);
    d.run(60, 55);
    expect(d.started().map((s) => s.startedAt)).toEqual([iso(NOON), iso(NOON + 36_000)]);
    expect(d.engine.suppressedTriggers()['loud']!.cooldown).toBe(1);
  });
});

describe('hourly cap', () => {
  it('raises at most maxEventsPerHour in any sliding hour and counts the rest', () => {
    const d = new Driver([rule({ maxEventsPerHour: 2 })]);
    for (let i = 0; i < 5; i++) {
      d.run(2, 55);
      d.run(598, 40);
    }
    // Starts at 0 and 600 s; 1200, 1800 and 2400 s are over the cap.
    expect(d.started().map((s) => s.startedAt)).toEqual([iso(NOON), iso(NOON + 600_000)]);
    expect(d.engine.suppressedTriggers()['loud']).toEqual({ cooldown: 0, hourlyCap: 3 });
    d.runUntil(NOON + 3_600_000, 40);
    // An hour after the first start there is room again.
    d.run(2, 55);
    expect(d.started()).toHaveLength(3);
    expect(d.started()[2]!.startedAt).toBe(iso(NOON + 3_600_000));
  });
});

describe('event bodies', () => {
  it('match the shared schemas, with stable unique ids <deviceId>-<epoch ms>-<ruleId>', () => {
    const d = new Driver([rule(), { type: 'impulsive', id: 'slam', thresholdDb: 80, mergeGapSeconds: 0 }]);
    d.run(3, { la: 55, lafMax: 85 });
    d.run(3, 40);
    d.run(3, 55);
    d.run(3, 40);
    const ids = d.started().map((s) => s.eventId);
    expect(ids).toEqual([`${DEVICE}-${NOON}-loud`, `${DEVICE}-${NOON}-slam`, `${DEVICE}-${NOON + 6_000}-loud`]);
    for (const id of ids) expect(EventId.parse(id)).toBe(id);
    for (const s of d.started()) expect(EventStarted.parse(s)).toEqual(s);
    for (const e of d.ended()) {
      expect(EventEnded.parse(e)).toEqual(e);
      expect(e.clipIds).toEqual([]);
    }
    expect(d.ended().map((e) => e.eventId)).toEqual(ids);
  });

  it('treats digital silence as no reading: it ends an event and adds nothing to its levels', () => {
    const d = new Driver([rule()]);
    d.run(4, 55);
    d.run(2, 'silent');
    const ended = only(d.ended());
    expect(ended.durationSeconds).toBe(4);
    expect(ended.LAeq).toBe(55);
  });
});
