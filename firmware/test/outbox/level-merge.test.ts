import { describe, expect, it } from 'vitest';
import { halveRecords, mergeLevelRecords } from '../../src/outbox/level-merge.ts';
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
