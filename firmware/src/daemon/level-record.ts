/** An engine interval as the 1 s level record the uplink carries (shared LevelRecord). */
import { type LevelRecord, type NominalThirdOctave, bandDb10 } from '@earshot/shared';
import { type BandLevels, type IntervalLevels, roundedLevels } from '../measure/index.ts';

export function levelRecord(startMs: number, r: IntervalLevels): LevelRecord {
  const rec: LevelRecord = {
    t: new Date(Math.round(startMs)).toISOString(),
    d: Math.round(r.durationSeconds * 1e6) / 1e6,
    ...roundedLevels(r),
  };
  if (r.clippedSamples > 0) rec.clipped = r.clippedSamples;
  if (r.silent) rec.silent = true;
  // A silent record carries no bands, as it carries no levels (DESIGN §9 "Bands on the wire").
  else if (r.bands !== undefined && r.bands.nominal.length > 0) rec.Z3 = bandsOf(r.bands);
  return rec;
}

/**
 * The interval's bands as `Z3`: 0.1 dB integers from the lowest band up. The array is the
 * record's own (a record may be held in memory while the disk is full), one per record.
 */
function bandsOf(b: BandLevels): NonNullable<LevelRecord['Z3']> {
  const n = b.levels.length;
  const dB10 = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const l = b.levels[i] ?? null;
    dB10[i] = l === null ? null : bandDb10(l);
  }
  return { f0: b.nominal[0] as NominalThirdOctave, dB10 };
}
