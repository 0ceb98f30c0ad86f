/**
 * Noise Act 1996 night rule: LAeq,5min above the permitted level of the Permitted
 * Level of Noise (England) Directions 2008 — 34 dB where the underlying level is
 * ≤ 24 dB, otherwise underlying + 10 dB — only from 23:00 to 07:00 local time.
 */
import { describe, expect, it } from 'vitest';
import { permittedLevel } from '../../src/rules/index.ts';
import { Driver, iso, only } from './harness.ts';

const DEFAULTS = { permittedLevelDb: 34, underlyingLimitDb: 24, excessDb: 10 };
const rule = { type: 'noise-act-night' as const, id: 'night', mergeGapSeconds: 0, hysteresisDb: 0 };
/** 2026-06-01 22:30 BST: 30 min of underlying level before the night begins. */
const EVENING = Date.UTC(2026, 5, 1, 21, 30);
/** 23:00 BST. */
const NIGHT = Date.UTC(2026, 5, 1, 22, 0);

/** The underlying level through the evening and the night's first 10 minutes, then `level` for 10 minutes. */
function nightWith(underlying: number, level: number): Driver {
  const d = new Driver([rule], EVENING);
  d.runUntil(NIGHT + 600_000, underlying);
  d.run(600, level);
  return d;
}

describe('permitted level', () => {
  it('is 34 dB up to an underlying level of 24 dB, and underlying + 10 dB above it', () => {
    expect(permittedLevel(15, DEFAULTS)).toBe(34);
    expect(permittedLevel(24, DEFAULTS)).toBe(34);
    expect(permittedLevel(24.1, DEFAULTS)).toBeCloseTo(34.1, 9);
    expect(permittedLevel(30, DEFAULTS)).toBe(40);
    expect(permittedLevel(20, { permittedLevelDb: 31, underlyingLimitDb: 21, excessDb: 10 })).toBe(31);
  });
});

describe('noise-act-night rule', () => {
  it('underlying 20 dB (≤ 24): fires above 34 dB', () => {
    const d = nightWith(20, 34.5);
    const started = only(d.started());
    expect(started.threshold).toBe(34);
    d.run(600, 20);
    expect(only(d.ended()).backgroundLAF90).toBe(20);
  });

  it('underlying 20 dB: does not fire at 34 dB exactly ("exceeds", s.4) nor at 33.9 dB', () => {
    expect(nightWith(20, 34).outputs).toEqual([]);
    expect(nightWith(20, 33.9).outputs).toEqual([]);
  });

  it('underlying 30 dB (> 24): permitted level 40 dB; 38 dB does not fire, 41 dB does', () => {
    expect(nightWith(30, 38).outputs).toEqual([]);
    const d = nightWith(30, 41);
    expect(only(d.started()).threshold).toBe(40);
  });

  it('is not armed before 23:00 local: noise from 22:50 to 23:03 starts the event only with the first whole night window, 23:00–23:05 BST', () => {
    const d = new Driver([rule], EVENING);
    d.runUntil(NIGHT - 600_000, 20);
    d.runUntil(NIGHT + 180_000, 45);
    d.run(600, 20);
    const started = only(d.started());
    expect(started.startedAt).toBe(iso(NIGHT + 299_000));
    expect(started.threshold).toBe(34);
  });
});

/**
 * Issue 10 item 2: the offending LAeq,5min and the underlying level must both lie
 * wholly inside night hours (Noise Act 1996 s.2(6): 23:00–07:00; Permitted Level of
 * Noise (England) Directions 2008: the offending and underlying levels over the same
 * period), whatever the evening before or the morning after held.
 */
describe('noise-act-night windows lie wholly inside night hours', () => {
  /** Runs `evening` until `nightStart`, then the night's own levels; returns the driver. */
  function night(startMs: number, nightStart: number, evening: number, steps: readonly [number, number][]): Driver {
    const d = new Driver([rule], startMs);
    d.runUntil(nightStart, evening);
    for (const [seconds, level] of steps) d.run(seconds, level);
    return d;
  }

  it('23:00 BST edge: 48 dB from 22:55 to 23:00 raises nothing once the night is quiet', () => {
    const d = new Driver([rule], EVENING);
    d.runUntil(NIGHT - 300_000, 20);
    d.runUntil(NIGHT, 48);
    d.run(1_800, 20);
    expect(d.outputs).toEqual([]);
  });

  it('23:00 BST edge: the underlying level is the night\'s (30 dB), not the quieter evening\'s (20 dB)', () => {
    const d = night(EVENING, NIGHT, 20, [[600, 30], [600, 41]]);
    const started = only(d.started());
    expect(started.threshold).toBe(40);
    expect(Date.parse(started.startedAt)).toBeGreaterThanOrEqual(NIGHT + 600_000);
    d.run(600, 30);
    expect(only(d.ended()).backgroundLAF90).toBe(30);
  });

  it('23:00 edge: the first reading of a night is its first 5 minutes (23:00:00–23:05:00)', () => {
    // 23:00–23:02 at 20 dB, then 45 dB: the window 23:00:00–23:05:00 holds LAeq 42.8 dB over LAF90 20 dB.
    const d = night(EVENING, NIGHT, 20, [[120, 20], [180, 45], [300, 20]]);
    const started = only(d.started());
    expect(started.startedAt).toBe(iso(NIGHT + 299_000));
    expect(started.threshold).toBe(34);
    expect(started.level).toBeCloseTo(10 * Math.log10((2 * 10 ** 2 + 3 * 10 ** 4.5) / 5), 1);
  });

  it('23:00 edge, intervals off the second: the interval 22:59:59.5–23:00:00.5 is not in any window', () => {
    const d = new Driver([rule], EVENING + 500);
    d.runUntil(NIGHT - 500, 20);
    d.run(1, 90);
    d.run(1_800, 20);
    expect(d.outputs).toEqual([]);
  });

  it('07:00 BST edge: one loud second at 06:59:59.5–07:00:00.5 is not in any window', () => {
    const morning = NIGHT + 8 * 3_600_000;
    const d = new Driver([rule], morning - 3_600_000 + 500);
    d.runUntil(morning - 500, 20);
    d.run(1, 90);
    d.run(600, 20);
    expect(d.outputs).toEqual([]);
  });

  it('07:00 BST edge: the last window is 06:55–07:00, and an event open at 07:00 ends there', () => {
    const morning = NIGHT + 8 * 3_600_000;
    const d = new Driver([rule], morning - 3_600_000);
    d.runUntil(morning - 1_000, 20);
    d.run(1, 90);
    d.run(600, 20);
    expect(only(d.started()).startedAt).toBe(iso(morning - 1_000));
    expect(only(d.ended()).endedAt).toBe(iso(morning));
  });

  describe('spring forward (night of Sat 28 March 2026: 23:00 GMT to 07:00 BST, 7 h)', () => {
    const start = Date.UTC(2026, 2, 28, 23, 0);
    const end = Date.UTC(2026, 2, 29, 6, 0);

    it('23:00 GMT edge: 48 dB from 22:55 GMT raises nothing', () => {
      const d = new Driver([rule], start - 1_800_000);
      d.runUntil(start - 300_000, 20);
      d.runUntil(start, 48);
      d.run(1_800, 20);
      expect(d.outputs).toEqual([]);
    });

    it('07:00 BST edge (06:00 UTC): 06:30 BST is night; 06:59:59.5–07:00:00.5 BST is not', () => {
      const d = new Driver([rule], end - 3_600_000 + 500);
      d.runUntil(end - 1_800_500, 20);
      d.run(1, 90);
      d.runUntil(end - 500, 20);
      d.run(1, 90);
      d.run(600, 20);
      expect(only(d.started()).startedAt).toBe(iso(end - 1_800_500));
    });

    it('the underlying level runs on through the missing hour (00:59:59 GMT → 02:00 BST)', () => {
      const d = night(start - 600_000, start, 20, [[3_600, 30], [600, 41]]);
      expect(only(d.started()).threshold).toBe(40);
    });
  });

  describe('fall back (night of Sat 24 October 2026: 23:00 BST to 07:00 GMT, 9 h)', () => {
    const start = Date.UTC(2026, 9, 24, 22, 0);
    const end = Date.UTC(2026, 9, 25, 7, 0);

    it('23:00 BST edge (22:00 UTC): 48 dB from 22:55 BST raises nothing', () => {
      const d = new Driver([rule], start - 1_800_000);
      d.runUntil(start - 300_000, 20);
      d.runUntil(start, 48);
      d.run(1_800, 20);
      expect(d.outputs).toEqual([]);
    });

    it('the ninth hour is night: 06:30 GMT raises an event; 06:59:59.5–07:00:00.5 GMT does not', () => {
      const d = new Driver([rule], end - 3_600_000 + 500);
      d.runUntil(end - 1_800_500, 20);
      d.run(1, 90);
      d.runUntil(end - 500, 20);
      d.run(1, 90);
      d.run(600, 20);
      expect(only(d.started()).startedAt).toBe(iso(end - 1_800_500));
    });

    it('23:00 BST edge: the underlying level is the night\'s, not the evening\'s', () => {
      const d = night(start - 1_800_000, start, 20, [[600, 30], [600, 41]]);
      expect(only(d.started()).threshold).toBe(40);
    });
  });
});
