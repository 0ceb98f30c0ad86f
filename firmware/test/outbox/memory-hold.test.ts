/**
 * The full-disk memory hold (issue 18), a pure core: what the journal refuses
 * is kept in order, merged energy-correctly past its bound, and past that
 * given up to a gap record that is handed back first.
 */
import { describe, expect, it } from 'vitest';
import { DataGap, type EventBody, type LevelRecord, LevelsBody } from '@earshot/shared';
import { MemoryHold } from '../../src/outbox/index.ts';

const T0 = Date.parse('2026-11-21T02:10:00.000Z');
const rec = (s: number, db: number): LevelRecord => ({
  t: new Date(T0 + s * 1000).toISOString(), d: 1, LAeq: db, LCeq: db + 5, LZeq: db + 8, LAFmax: db + 3, LAFmin: db - 3, LASmax: db + 2, LCpeak: db + 20,
});
const body = (s: number, db = 40): LevelsBody => ({ fullScaleDb: 120, records: [rec(s, db)] });
const energyMean = (dbs: number[]): number => 10 * Math.log10(dbs.reduce((a, l) => a + 10 ** (l / 10), 0) / dbs.length);

function drain(h: MemoryHold): ReturnType<MemoryHold['next']>[] {
  const out: ReturnType<MemoryHold['next']>[] = [];
  for (let x = h.next(); x !== null; x = h.next()) {
    out.push(x);
    h.shift();
  }
  return out;
}

describe('MemoryHold', () => {
  it('keeps every record and event in order while under its bound, and reports what it holds', () => {
    const h = new MemoryHold({ deviceId: 'flat-9-monitor', maxRecords: 100 });
    expect(h.empty).toBe(true);
    const ev: EventBody = { kind: 'incident', eventId: 'flat-9-monitor-1-incident', at: rec(3, 0).t, source: 'button', clipIds: [] };
    for (let s = 0; s < 30; s++) {
      h.add('levels', body(s), 0);
      if (s === 3) h.add('event', ev, 0);
    }
    expect(h.stats()).toEqual({ records: 30, events: 1, seconds: 30, gapSeconds: 0, since: rec(0, 0).t });
    const out = drain(h);
    expect(out.map((o) => o!.kind)).toEqual(['levels', 'event', 'levels']);
    const recs = out.filter((o) => o!.kind === 'levels').flatMap((o) => (o!.body as LevelsBody).records);
    expect(recs.map((r) => r.t)).toEqual(Array.from({ length: 30 }, (_, s) => rec(s, 0).t));
    for (const o of out) if (o!.kind === 'levels') LevelsBody.parse(o!.body);
    expect(h.empty).toBe(true);
    expect(h.stats().since).toBeNull();
  });

  it('past its bound merges the oldest records energy-correctly, then gives the oldest up to one gap record written first', () => {
    const h = new MemoryHold({ deviceId: 'flat-9-monitor', maxRecords: 10, maxRecordSeconds: 4 });
    const dbs = Array.from({ length: 100 }, (_, s) => 40 + (s % 7) * 3);
    dbs.forEach((db, s) => h.add('levels', body(s, db), 0));
    const st = h.stats();
    expect(st.records).toBeLessThanOrEqual(10);
    // Every second is either held or in the gap: nothing silently lost.
    expect(st.seconds + st.gapSeconds).toBe(100);
    expect(st.gapSeconds).toBeGreaterThan(0);
    const out = drain(h);
    const gap = DataGap.parse(out[0]!.body);
    expect(gap).toMatchObject({ kind: 'gap', what: 'levels', reason: 'storage-full', from: rec(0, 0).t, clipIds: [] });
    const recs = out.slice(1).flatMap((o) => (o!.body as LevelsBody).records);
    // The held records start where the gap ends and run back to back to the last second.
    expect(recs[0]!.t).toBe(gap.to);
    for (let i = 1; i < recs.length; i++) expect(Date.parse(recs[i]!.t)).toBe(Date.parse(recs[i - 1]!.t) + recs[i - 1]!.d * 1000);
    const last = recs[recs.length - 1]!;
    expect(Date.parse(last.t) + last.d * 1000).toBe(T0 + 100_000);
    // Merged no coarser than maxRecordSeconds, LAeq the energy mean of the seconds it stands for.
    for (const r of recs) {
      expect(r.d).toBeLessThanOrEqual(4);
      const s0 = (Date.parse(r.t) - T0) / 1000;
      expect(r.LAeq!).toBeCloseTo(energyMean(dbs.slice(s0, s0 + r.d)), 1);
      expect(r.LAFmax).toBe(Math.max(...dbs.slice(s0, s0 + r.d)) + 3);
    }
  });

  it('hands back merged bands as they are sent: 0.1 dB integers, energy means of the seconds held', () => {
    const h = new MemoryHold({ deviceId: 'flat-9-monitor', maxRecords: 8, maxRecordSeconds: 8 });
    const bands = (s: number): number[] => [600 + (s % 3), 412 + (s % 2)];
    for (let s = 0; s < 64; s++) h.add('levels', { fullScaleDb: 120, records: [{ ...rec(s, 40), Z3: { f0: '20', dB10: bands(s) } }] }, 0);
    const recs = drain(h).filter((o) => o!.kind === 'levels').flatMap((o) => LevelsBody.parse(o!.body).records);
    expect(recs.some((r) => r.d >= 4)).toBe(true);
    for (const r of recs) {
      const s0 = (Date.parse(r.t) - T0) / 1000;
      for (let b = 0; b < 2; b++) {
        const exact = energyMean(Array.from({ length: r.d }, (_, i) => bands(s0 + i)[b]! / 10));
        expect(Number.isInteger(r.Z3!.dB10[b])).toBe(true);
        expect(Math.abs(r.Z3!.dB10[b]! / 10 - exact)).toBeLessThanOrEqual(0.05 + 3 * 0.005 + 1e-9);
      }
    }
  });

  it('never gives up an event, and a second gap after space returned has its own id', () => {
    const h = new MemoryHold({ deviceId: 'flat-9-monitor', maxRecords: 10, maxRecordSeconds: 1 });
    for (let s = 0; s < 20; s++) h.add('levels', body(s), 0);
    for (let i = 0; i < 50; i++) h.add('event', { kind: 'incident', eventId: `e-${i}`, at: rec(i, 0).t, source: 'app', clipIds: [] }, 0);
    const first = drain(h);
    expect(first.filter((o) => o!.kind === 'event' && (o!.body as EventBody).kind === 'incident')).toHaveLength(50);
    const gap1 = first[0]!.body as DataGap;
    for (let s = 100; s < 120; s++) h.add('levels', body(s), 0);
    const gap2 = h.next()!.body as DataGap;
    expect(gap2.kind).toBe('gap');
    expect(gap2.eventId).not.toBe(gap1.eventId);
    expect(gap2.from).toBe(rec(100, 0).t);
  });
});
