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

function nightWith(underlying: number, level: number): Driver {
  const d = new Driver([rule], EVENING);
  d.runUntil(NIGHT, underlying);
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

  it('is not armed before 23:00 local: noise from 22:50 starts the event at 23:00 BST', () => {
    const d = new Driver([rule], EVENING);
    d.runUntil(NIGHT - 600_000, 20);
    d.run(1_200, 45);
    expect(only(d.started()).startedAt).toBe(iso(NIGHT));
  });
});
