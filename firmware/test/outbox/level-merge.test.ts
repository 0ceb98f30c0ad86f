import { type LevelRecord, LevelsBody } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { halveRecords, mergeLevelRecords } from '../../src/outbox/level-merge.ts';
import { decodeLevelsBody, encodeLevelsBody } from '../../src/outbox/levels-codec.ts';
import { record } from './helpers.ts';

describe('merging level records', () => {
  it('averages equivalent levels as energy: 60 dB and 70 dB for 1 s each give 67.40 dB', () => {
    // 10·log10((10^6 + 10^7) / 2) = 67.4036…
    const m = mergeLevelRecords([record(0, 60), record(1, 70)]);
    expect(m.LAeq).toBe(67.4);
    expect(m.LCeq).toBe(72.4);
    expect(m.d).toBe(2);
    expect(m.n).toBe(2);
    expect(m.t).toBe(record(0, 60).t);
  });

  it('weights by duration: 60 dB for 1 s then 70 dB for 3 s give 68.89 dB', () => {
    // 10·log10((1·10^6 + 3·10^7) / 4) = 68.893…
    const long = { ...record(1, 70), d: 3, n: 3 };
    const m = mergeLevelRecords([record(0, 60), long]);
    expect(m.LAeq).toBe(68.89);
    expect(m.d).toBe(4);
    expect(m.n).toBe(4);
  });

  it('takes the max of maxima and the min of minima', () => {
    const m = mergeLevelRecords([record(0, 60), record(1, 50), record(2, 55)]);
    expect(m.LAFmax).toBe(63);
    expect(m.LASmax).toBe(61);
    expect(m.LCpeak).toBe(80);
    expect(m.LAFmin).toBe(46);
  });

  it('counts digital silence as no energy over its duration, and all-silent stays null', () => {
    // 10·log10(10^6 / 2) = 56.99
    const m = mergeLevelRecords([record(0, 60), { ...record(1, null), silent: true }]);
    expect(m.LAeq).toBe(56.99);
    expect(m.silent).toBeUndefined();
    const s = mergeLevelRecords([{ ...record(0, null), silent: true }, { ...record(1, null), silent: true }]);
    expect(s.LAeq).toBeNull();
    expect(s.LAFmax).toBeNull();
    expect(s.silent).toBe(true);
  });

  it('halves a contiguous run but never merges across a gap or past the longest record', () => {
    const run = [record(0, 50), record(1, 50), record(2, 50), record(3, 50), record(10, 50), record(11, 50), record(12, 50)];
    const h = halveRecords(run, 3600);
    expect(h.records.map((r) => r.d)).toEqual([2, 2, 2, 1]);
    expect(h.merged1s).toBe(6);
    expect(halveRecords(h.records, 2).records.length).toBe(4);
    // 0–2 and 2–4 would make 4 s (> 3): kept; 10–12 and 12–13 make 3 s: merged.
    expect(halveRecords(h.records, 3).records.map((r) => r.d)).toEqual([2, 2, 3]);
  });
});

describe('merging 1/3-octave bands (Z3)', () => {
  const withBands = (second: number, level: number | null, dB10: (number | null)[], d = 1): LevelRecord => ({ ...record(second, level), d, Z3: { f0: '20', dB10 } });

  it('averages each band as energy weighted by duration, to 0.01 dB, sent as 0.1 dB integers', () => {
    // Band 0: 1 s at 60.0 dB and 3 s at 70.0 dB → 10·log10((10^6 + 3·10^7) / 4) = 68.893 → 688.9, sent 689.
    // Band 1: 30.0 dB and 30.0 dB → 300. Band 2: 1 s at 80.0 dB and 3 s at 20.0 dB → 10·log10((10^8 + 3·10^2) / 4) = 73.980 → 739.8, sent 740.
    const m = mergeLevelRecords([withBands(0, 60, [600, 300, 800]), { ...withBands(1, 70, [700, 300, 200], 3), n: 3 }]);
    expect(m.Z3).toEqual({ f0: '20', dB10: [688.9, 300, 739.8] });
    const journaled = encodeLevelsBody({ fullScaleDb: 120, records: [m] });
    expect(decodeLevelsBody(journaled, true).records[0]!.Z3).toEqual({ f0: '20', dB10: [688.9, 300, 739.8] });
    const sent = decodeLevelsBody(journaled);
    expect(sent.records[0]!.Z3).toEqual({ f0: '20', dB10: [689, 300, 740] });
    expect(LevelsBody.safeParse(sent).success).toBe(true);
  });

  it('counts a null band and a silent record as no energy over their duration, like the levels', () => {
    // 10·log10(10^6 / 2) = 56.990 → 569.9; null in both → null.
    const m = mergeLevelRecords([withBands(0, 60, [600, null]), withBands(1, 60, [null, null])]);
    expect(m.Z3).toEqual({ f0: '20', dB10: [569.9, null] });
    const s = mergeLevelRecords([withBands(0, 60, [600, 400]), { ...record(1, null), silent: true }]);
    expect(s.LZeq).toBe(64.99);
    expect(s.Z3).toEqual({ f0: '20', dB10: [569.9, 369.9] });
    expect(s.silent).toBeUndefined();
    const allSilent = mergeLevelRecords([{ ...record(0, null), silent: true }, { ...record(1, null), silent: true }]);
    expect(allSilent.Z3).toBeUndefined();
  });

  it('conserves the energy of each band over a long run halved again and again, within 0.005 dB a merge', () => {
    const levelOf = (s: number, band: number): number | null => (s % 13 === 0 ? null : 200 + band * 10 + Math.round(300 * Math.abs(Math.sin(s / (7 + band)))));
    let records: LevelRecord[] = [];
    for (let s = 0; s < 512; s++) records.push(withBands(s, 50, [0, 1, 2, 3].map((b) => levelOf(s, b))));
    const before = [0, 1, 2, 3].map((b) => records.reduce((a, r) => a + r.d * (r.Z3!.dB10[b] === null ? 0 : 10 ** (r.Z3!.dB10[b]! / 100)), 0));
    for (let pass = 1; pass <= 9; pass++) {
      records = halveRecords(records, 3600).records;
      // Each merge rounds to 0.01 dB: after k passes a band is within k × 0.005 dB of its exact Leq.
      for (const r of records) {
        const i0 = (Date.parse(r.t) - Date.parse(record(0, 0).t)) / 1000;
        for (let b = 0; b < 4; b++) {
          let e = 0;
          for (let s = i0; s < i0 + r.d; s++) e += 10 ** ((levelOf(s, b) ?? -Infinity) / 100);
          expect(Math.abs(r.Z3!.dB10[b]! / 10 - 10 * Math.log10(e / r.d))).toBeLessThanOrEqual(pass * 0.005 + 1e-9);
        }
      }
    }
    expect(records).toHaveLength(1);
    expect(records[0]!.d).toBe(512);
    for (let b = 0; b < 4; b++) expect(Math.abs(records[0]!.Z3!.dB10[b]! / 10 - 10 * Math.log10(before[b]! / 512))).toBeLessThan(0.05);
  });

  it('does not drift a steady band upwards however often it is compacted: sent within 0.05 dB (+ 0.005 a pass) of its Leq', () => {
    // A steady band measured in 1 s as 0.1 dB integers one step either side of its level; 11 halvings: 2,048 s in one record,
    // through the journal at every pass as compaction keeps it. Each record's band sent is within 0.05 dB of its exact Leq
    // (the 0.1 dB rounding) plus 0.005 dB a pass. Rounding every merge to 0.1 dB (as before) sends some 0.1 dB high.
    const patterns: readonly (readonly number[])[] = [[412, 413], [412, 412, 412, 413], [412, 413, 413, 413, 414], [500, 499, 500, 501, 500, 500, 499]];
    for (const pattern of patterns) {
      let records: LevelRecord[] = [];
      for (let s = 0; s < 2048; s++) records.push(withBands(s, 50, [pattern[(s * 7 + (s >> 3)) % pattern.length]!]));
      const energy = (from: number, d: number): number => {
        let e = 0;
        for (let s = from; s < from + d; s++) e += 10 ** (records0[s]!.Z3!.dB10[0]! / 100);
        return 10 * Math.log10(e / d);
      };
      const records0 = records;
      for (let pass = 1; pass <= 11; pass++) {
        records = decodeLevelsBody(encodeLevelsBody({ fullScaleDb: 120, records: halveRecords(records, 3600).records }), true).records;
        const sent = decodeLevelsBody(encodeLevelsBody({ fullScaleDb: 120, records })).records;
        for (const r of sent) {
          const from = (Date.parse(r.t) - Date.parse(record(0, 0).t)) / 1000;
          expect(Math.abs(r.Z3!.dB10[0]! / 10 - energy(from, r.d))).toBeLessThanOrEqual(0.05 + pass * 0.005 + 1e-9);
        }
      }
      expect(records).toHaveLength(1);
    }
  });

  it('never merges a record with bands into one without (a config change), nor two different band sets', () => {
    const run = [withBands(0, 50, [500]), record(1, 50), record(2, 50), withBands(3, 50, [500]), { ...withBands(4, 50, [500, 510]), Z3: { f0: '10' as const, dB10: [500, 510] } }];
    const h = halveRecords(run, 3600);
    expect(h.records.map((r) => [r.d, r.Z3?.dB10.length ?? 0])).toEqual([[1, 1], [2, 0], [1, 1], [1, 2]]);
    // A silent record goes with either.
    const s = halveRecords([withBands(0, 50, [500]), { ...record(1, null), silent: true }, { ...record(2, null), silent: true }, record(3, 50)], 3600);
    expect(s.records.map((r) => [r.d, r.Z3?.dB10.length ?? 0])).toEqual([[2, 1], [2, 0]]);
    // Called directly on records it would not pair, the merge keeps levels and drops the bands it cannot average.
    expect(mergeLevelRecords([withBands(0, 50, [500]), record(1, 50)]).Z3).toBeUndefined();
  });
});
