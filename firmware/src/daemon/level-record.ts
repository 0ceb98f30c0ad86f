/** An engine interval as the 1 s level record the uplink carries (shared LevelRecord). */
import type { LevelRecord } from '@earshot/shared';
import { type IntervalLevels, roundedLevels } from '../measure/index.ts';

export function levelRecord(startMs: number, r: IntervalLevels): LevelRecord {
  const rec: LevelRecord = {
    t: new Date(Math.round(startMs)).toISOString(),
    d: Math.round(r.durationSeconds * 1e6) / 1e6,
    ...roundedLevels(r),
  };
  if (r.clippedSamples > 0) rec.clipped = r.clippedSamples;
  if (r.silent) rec.silent = true;
  return rec;
}
