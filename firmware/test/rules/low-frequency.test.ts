/** Low-frequency rule: LCeq − LAeq ≥ Δ with LCeq ≥ X. */
import { describe, expect, it } from 'vitest';
import { Driver, NOON, only } from './harness.ts';

/** Brute-force LCeq − LAeq over seconds [from, to) of a history of (LA, LC) pairs. */
function lcMinusLa(history: readonly (readonly [number, number])[], from: number, to: number): number {
  const part = history.slice(from, to);
  const mean = (k: 0 | 1): number => 10 * Math.log10(part.reduce((s, p) => s + 10 ** (p[k] / 10), 0) / part.length);
  return mean(1) - mean(0);
}

const rule = { type: 'low-frequency' as const, id: 'bass', windowSeconds: 10, deltaDb: 15, lcThresholdDb: 50, mergeGapSeconds: 0 };

describe('low-frequency rule (LCeq,10s − LAeq,10s ≥ 15 dB with LCeq ≥ 50 dB)', () => {
  it('fires on bass music: LC 62, LA 40, and reports LCeq − LAeq', () => {
    const d = new Driver([rule]);
    const history: [number, number][] = [];
    for (const [n, la, lc] of [[30, 30, 35], [30, 40, 62], [30, 30, 35]] as const) {
      for (let i = 0; i < n; i++) history.push([la, lc]);
      d.run(n, { la, lc });
    }
    const started = only(d.started());
    expect(started.threshold).toBe(15);
    expect(started.level).toBeGreaterThanOrEqual(15);
    const ended = only(d.ended());
    const from = (Date.parse(ended.startedAt) - NOON) / 1_000;
    const to = (Date.parse(ended.endedAt) - NOON) / 1_000;
    // The event spans the music and the seconds its 10 s window takes to fall back.
    expect(from).toBeGreaterThanOrEqual(30);
    expect(to).toBeGreaterThan(60);
    expect(ended.LCminusLA).toBeCloseTo(lcMinusLa(history, from, to), 2);
  });

  it('does not fire when the difference is small (LC 60, LA 50) or LCeq is low (LC 45, LA 25)', () => {
    const d = new Driver([rule]);
    d.run(60, { la: 50, lc: 60 });
    d.run(60, { la: 25, lc: 45 });
    expect(d.outputs).toEqual([]);
  });
});
