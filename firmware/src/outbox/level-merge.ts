/**
 * Merging of 1 s level records into coarser ones, for outbox compaction when
 * the quota is reached (issue 3). Energy-correct: equivalent levels are averaged
 * as energy weighted by duration, L = 10·log10(Σ dᵢ·10^(Lᵢ/10) / Σ dᵢ)
 * (IEC 61672-1:2013 §3.9, Leq as the time-mean of squared sound pressure),
 * with a silent interval (null, DESIGN §2) counted as zero energy over its
 * duration; maxima are the max of maxima, minima the min of minima (ignoring
 * silent intervals, whose minimum is unknown). 1/3-octave bands (`Z3`) merge as
 * LZeq does, band by band, to 0.01 dB: finer than the 0.1 dB integers a record is
 * sent with (levels-codec.ts keeps them so and rounds them when read for sending),
 * because rounding each merge to 0.1 dB drifts a steady band upwards as it is
 * compacted again and again (the energy mean of two values a step apart always
 * rounds up). A silent record (which carries no bands) is zero energy in every
 * band. Records whose bands differ (one with bands and one without, after a config
 * change, or another set of bands) are never merged: a band's mean would otherwise
 * cover less time than its record. Pure.
 */
import { BAND_DB10_MAX, BAND_DB10_MIN, bandDb10, round2, type LevelRecord } from '@earshot/shared';

/** Records further apart than this are not contiguous (a gap in measuring must not be hidden by a merge). */
const CONTIGUITY_TOLERANCE_MS = 5;

/** Whether `b` starts where `a` ends. */
export function contiguous(a: LevelRecord, b: LevelRecord): boolean {
  return Math.abs(Date.parse(a.t) + a.d * 1000 - Date.parse(b.t)) <= CONTIGUITY_TOLERANCE_MS;
}

/** What a record says about bands: its `Z3` layout, "none" when it measured none, null when silent (zero in any band). */
function bandLayout(r: LevelRecord): string | null {
  if (r.Z3 !== undefined) return `${r.Z3.f0}/${r.Z3.dB10.length}`;
  return r.silent === true ? null : 'none';
}

/** Whether `a` and `b` may be merged as far as bands go (a silent record goes with any). */
export function sameBands(a: LevelRecord, b: LevelRecord): boolean {
  const la = bandLayout(a);
  const lb = bandLayout(b);
  return la === null || lb === null || la === lb;
}

/** A merged band level (dB) in dB10 units to 0.01 dB, within the bands' range. */
function fineDb10(level: number): number {
  const v = Math.round(level * 100) / 10 + 0; // + 0: no −0
  return v < BAND_DB10_MIN ? BAND_DB10_MIN : v > BAND_DB10_MAX ? BAND_DB10_MAX : v;
}

/**
 * Bands of the merge: per band L = 10·log10(Σ dᵢ·10^(Lᵢ/10) / Σ dᵢ) over every record, a null band
 * or a silent record counting as zero energy; null where no record had energy. Undefined when
 * no record has bands or the records' bands differ.
 */
function mergedBands(records: readonly LevelRecord[], duration: number): LevelRecord['Z3'] {
  let layout: string | null = null;
  let first: NonNullable<LevelRecord['Z3']> | null = null;
  for (const r of records) {
    const l = bandLayout(r);
    if (l === null) continue;
    if (l === 'none' || (layout !== null && l !== layout)) return undefined;
    layout = l;
    first ??= r.Z3!;
  }
  if (first === null) return undefined;
  const n = first.dB10.length;
  const dB10 = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    let energy = 0;
    let any = false;
    for (const r of records) {
      const v = r.Z3?.dB10[i] ?? null;
      if (v === null) continue;
      any = true;
      energy += r.d * 10 ** (v / 100);
    }
    dB10[i] = any ? fineDb10(10 * Math.log10(energy / duration)) : null;
  }
  return { f0: first.f0, dB10 };
}

/** Whether a record's bands are finer than the wire's 0.1 dB integers (merged here), not as measured and sent. */
export function hasFineBands(r: LevelRecord): boolean {
  return r.Z3 !== undefined && r.Z3.dB10.some((v) => v !== null && !Number.isInteger(v));
}

/**
 * The records as they are sent: bands merged to 0.01 dB rounded to the wire's 0.1 dB integers (bandDb10);
 * the same array when none is finer.
 */
export function sendableRecords(records: readonly LevelRecord[]): readonly LevelRecord[] {
  if (!records.some(hasFineBands)) return records;
  return records.map((r) => (hasFineBands(r) ? { ...r, Z3: { f0: r.Z3!.f0, dB10: r.Z3!.dB10.map((v) => (v === null ? null : bandDb10(v / 10))) } } : r));
}

type EqKey = 'LAeq' | 'LCeq' | 'LZeq';
type MaxKey = 'LAFmax' | 'LASmax' | 'LCpeak';

function energyMeanWeighted(records: readonly LevelRecord[], key: EqKey, duration: number): number | null {
  let energy = 0;
  let any = false;
  for (const r of records) {
    const l = r[key];
    if (l === null) continue;
    any = true;
    energy += r.d * 10 ** (l / 10);
  }
  return any ? round2(10 * Math.log10(energy / duration)) : null;
}

function extreme(records: readonly LevelRecord[], key: MaxKey | 'LAFmin', pick: (a: number, b: number) => number): number | null {
  let out: number | null = null;
  for (const r of records) {
    const l = r[key];
    if (l !== null) out = out === null ? l : pick(out, l);
  }
  return out;
}

/** One record standing for all of `records` (which must be contiguous and non-empty). */
export function mergeLevelRecords(records: readonly LevelRecord[]): LevelRecord {
  const first = records[0];
  if (first === undefined) throw new RangeError('nothing to merge');
  let d = 0;
  let n = 0;
  let clipped = 0;
  let anyClipped = false;
  let allSilent = true;
  for (const r of records) {
    d += r.d;
    n += r.n ?? 1;
    if (r.clipped !== undefined) {
      clipped += r.clipped;
      anyClipped = true;
    }
    if (r.silent !== true) allSilent = false;
  }
  const merged: LevelRecord = {
    t: first.t,
    d: Math.round(d * 1000) / 1000,
    LAeq: energyMeanWeighted(records, 'LAeq', d),
    LCeq: energyMeanWeighted(records, 'LCeq', d),
    LZeq: energyMeanWeighted(records, 'LZeq', d),
    LAFmax: extreme(records, 'LAFmax', Math.max),
    LAFmin: extreme(records, 'LAFmin', Math.min),
    LASmax: extreme(records, 'LASmax', Math.max),
    LCpeak: extreme(records, 'LCpeak', Math.max),
  };
  if (anyClipped) merged.clipped = clipped;
  if (allSilent) merged.silent = true;
  if (n >= 2) merged.n = n;
  const bands = mergedBands(records, d);
  if (bands !== undefined) merged.Z3 = bands;
  return merged;
}

export interface Halved {
  readonly records: LevelRecord[];
  /** 1 s records (those without `n`) that went into a merged record. */
  readonly merged1s: number;
}

/**
 * Merges neighbours pairwise where they are contiguous and the result stays
 * within `maxSeconds`, halving the record count of an unbroken run; each pass
 * doubles the resolution, so repeated compaction degrades gracefully.
 */
export function halveRecords(records: readonly LevelRecord[], maxSeconds: number): Halved {
  const out: LevelRecord[] = [];
  let merged1s = 0;
  let i = 0;
  while (i < records.length) {
    const a = records[i]!;
    const b = records[i + 1];
    if (b !== undefined && a.d + b.d <= maxSeconds && contiguous(a, b) && sameBands(a, b)) {
      out.push(mergeLevelRecords([a, b]));
      merged1s += (a.n === undefined ? 1 : 0) + (b.n === undefined ? 1 : 0);
      i += 2;
    } else {
      out.push(a);
      i += 1;
    }
  }
  return { records: out, merged1s };
}
