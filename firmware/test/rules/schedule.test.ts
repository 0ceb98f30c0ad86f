/** Schedules in Europe/London local time: across midnight and across both DST changes. */
import { describe, expect, it } from 'vitest';
import { Schedule } from '@earshot/shared';
import { LondonClock, compileSchedule, isArmed, type LocalTime } from '../../src/rules/index.ts';
import { Driver, iso, only } from './harness.ts';


/** Independent reference: every field from Intl for the exact instant, no caching. */
function reference(ms: number): LocalTime {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(ms);
  const get = (t: string): string => parts.find((p) => p.type === t)!.value;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return { weekday, secondOfDay: Number(get('hour')) * 3_600 + Number(get('minute')) * 60 + Number(get('second')) + (ms % 1_000) / 1_000 };
}

describe('LondonClock', () => {
  it('agrees with Intl at random instants through 2026 and 2027', () => {
    const clock = new LondonClock();
    const out: LocalTime = { weekday: 0, secondOfDay: 0 };
    let s = 7;
    for (let i = 0; i < 3_000; i++) {
      s = (s * 1_103_515_245 + 12_345) >>> 0;
      const ms = Date.UTC(2026, 0, 1) + Math.floor((s / 4_294_967_296) * 730 * 86_400) * 1_000;
      expect(clock.localTime(ms, out)).toEqual(reference(ms));
    }
  });

  it('jumps from 00:59:59 GMT to 02:00:00 BST on 2026-03-29 and from 01:59:59 BST back to 01:00:00 GMT on 2026-10-25', () => {
    const clock = new LondonClock();
    const at = (ms: number): LocalTime => clock.localTime(ms, { weekday: 0, secondOfDay: 0 });
    expect(at(Date.UTC(2026, 2, 29, 0, 59, 59))).toEqual({ weekday: 6, secondOfDay: 3_599 });
    expect(at(Date.UTC(2026, 2, 29, 1, 0, 0))).toEqual({ weekday: 6, secondOfDay: 7_200 });
    expect(at(Date.UTC(2026, 9, 25, 0, 59, 59))).toEqual({ weekday: 6, secondOfDay: 7_199 });
    expect(at(Date.UTC(2026, 9, 25, 1, 0, 0))).toEqual({ weekday: 6, secondOfDay: 3_600 });
  });
});

describe('isArmed', () => {
  const sat = compileSchedule(Schedule.parse({ days: ['sat'], start: '23:00', end: '07:00' }));
  const t = (weekday: number, hh: number, mm: number): LocalTime => ({ weekday, secondOfDay: hh * 3_600 + mm * 60 });

  it('a window crossing midnight belongs to the day it starts on', () => {
    expect(isArmed(sat, t(5, 23, 0))).toBe(true);
    expect(isArmed(sat, t(6, 0, 0))).toBe(true);
    expect(isArmed(sat, t(6, 6, 59))).toBe(true);
    expect(isArmed(sat, t(6, 7, 0))).toBe(false);
    expect(isArmed(sat, t(5, 22, 59))).toBe(false);
    expect(isArmed(sat, t(6, 23, 30))).toBe(false);
    expect(isArmed(sat, t(5, 6, 0))).toBe(false);
  });

  it('a daytime window, a whole day, and no schedule', () => {
    const day = compileSchedule(Schedule.parse({ start: '09:00', end: '17:30' }));
    expect(isArmed(day, t(2, 9, 0))).toBe(true);
    expect(isArmed(day, t(2, 17, 30))).toBe(false);
    const whole = compileSchedule(Schedule.parse({ days: ['sun'], start: '00:00', end: '24:00' }));
    expect(isArmed(whole, t(6, 23, 59))).toBe(true);
    expect(isArmed(whole, t(0, 0, 0))).toBe(false);
    expect(isArmed(null, t(3, 3, 3))).toBe(true);
  });
});

/**
 * A loud night under the Noise Act rule: underlying 20 dB until 23:02 local, then 45 dB till morning.
 * Its windows hold only night seconds, so the first reading is the window 23:00:00–23:05:00.
 */
function loudNight(quietFromUtc: number, loudFromUtc: number, untilUtc: number): Driver {
  const d = new Driver([{ type: 'noise-act-night', id: 'night', mergeGapSeconds: 0 }], quietFromUtc);
  d.runUntil(loudFromUtc, 20);
  d.runUntil(untilUtc, 45);
  return d;
}

describe('a night schedule (23:00–07:00 local) across the DST changes', () => {
  it.each([
    // [night, quiet from, loud from (23:02 local), until, 23:00 local, expected end (07:00 local), hours]
    ['an ordinary summer night (BST)', Date.UTC(2026, 5, 6, 21, 0), Date.UTC(2026, 5, 6, 22, 2), Date.UTC(2026, 5, 7, 8, 0), Date.UTC(2026, 5, 6, 22, 0), Date.UTC(2026, 5, 7, 6, 0), 8],
    ['spring forward, Sat 28 – Sun 29 March 2026 (23:00 GMT to 07:00 BST)', Date.UTC(2026, 2, 28, 22, 0), Date.UTC(2026, 2, 28, 23, 2), Date.UTC(2026, 2, 29, 8, 0), Date.UTC(2026, 2, 28, 23, 0), Date.UTC(2026, 2, 29, 6, 0), 7],
    ['fall back, Sat 24 – Sun 25 October 2026 (23:00 BST to 07:00 GMT)', Date.UTC(2026, 9, 24, 21, 0), Date.UTC(2026, 9, 24, 22, 2), Date.UTC(2026, 9, 25, 8, 0), Date.UTC(2026, 9, 24, 22, 0), Date.UTC(2026, 9, 25, 7, 0), 9],
  ])('%s: the event runs from the first night window (23:00–23:05 local) to 07:00 local time', (_night, quiet, loud, until, night, end, hours) => {
    const d = loudNight(quiet, loud, until);
    const ended = only(d.ended());
    // The interval 23:04:59–23:05:00 completes the first window wholly inside the night.
    expect(only(d.started()).startedAt).toBe(iso(night + 299_000));
    expect(ended.endedAt).toBe(iso(end));
    expect(ended.durationSeconds).toBe(hours * 3_600 - 299);
    expect(ended.reason).toBe('schedule');
    expect(ended.backgroundLAF90).toBe(20);
  });

  it('a Friday-only window 22:00–02:00 fires on Friday night, not on Saturday night', () => {
    const rule = { type: 'absolute' as const, id: 'fri', windowSeconds: 1, thresholdDb: 50, mergeGapSeconds: 0, schedule: { days: ['fri' as const], start: '22:00', end: '02:00' } };
    // Friday 5 June 2026 20:00 UTC (21:00 BST) to Sunday 7 June 03:00 UTC, loud throughout.
    const d = new Driver([rule], Date.UTC(2026, 5, 5, 20, 0));
    d.runUntil(Date.UTC(2026, 5, 7, 3, 0), 55);
    expect(d.started().map((s) => s.startedAt)).toEqual([iso(Date.UTC(2026, 5, 5, 21, 0))]);
    expect(d.ended().map((e) => e.endedAt)).toEqual([iso(Date.UTC(2026, 5, 6, 1, 0))]);
    expect(d.started()).toHaveLength(1);
  });
});
