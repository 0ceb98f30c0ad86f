/** The level fields of a LevelRecord (shared/src/schemas/levels.ts) an instrument may report. */
import type { LevelRecord } from '@earshot/shared';

export const LEVEL_FIELDS = ['LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak'] as const;
export type LevelField = (typeof LEVEL_FIELDS)[number];

/** A record of `d` seconds starting at `startMs` with every level unknown (null). */
export function emptyRecord(startMs: number, d: number): LevelRecord {
  return { t: new Date(startMs).toISOString(), d, LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null };
}
