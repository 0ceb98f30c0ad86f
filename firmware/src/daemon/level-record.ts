/** An engine interval as the 1 s level record the uplink carries (shared LevelRecord). */
import { type LevelRecord, round2 } from '@earshot/shared';
import type { IntervalLevels } from '../measure/index.ts';

export function levelRecord(startMs: number, r: IntervalLevels): LevelRecord {
  const rec: LevelRecord = {
    t: new Date(Math.round(startMs)).toISOString(),
    d: Math.round(r.durationSeconds * 1e6) / 1e6,
    LAeq: round2(r.LAeq),
    LCeq: round2(r.LCeq),
    LZeq: round2(r.LZeq),
    LAFmax: round2(r.LAFmax),
    LAFmin: round2(r.LAFmin),
    LASmax: round2(r.LASmax),
    LCpeak: round2(r.LCpeak),
  };
  if (r.clippedSamples > 0) rec.clipped = r.clippedSamples;
  if (r.silent) rec.silent = true;
  return rec;
}
