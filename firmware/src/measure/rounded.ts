/** An interval's levels as they are printed and sent: dB to 0.01, silence as null (DESIGN §2, §3). */
import { round2 } from '@earshot/shared';
import type { IntervalLevels } from './types.ts';

export interface RoundedLevels {
  LAeq: number | null;
  LCeq: number | null;
  LZeq: number | null;
  LAFmax: number | null;
  LAFmin: number | null;
  LASmax: number | null;
  LCpeak: number | null;
}

export function roundedLevels(r: IntervalLevels): RoundedLevels {
  return {
    LAeq: round2(r.LAeq),
    LCeq: round2(r.LCeq),
    LZeq: round2(r.LZeq),
    LAFmax: round2(r.LAFmax),
    LAFmin: round2(r.LAFmin),
    LASmax: round2(r.LASmax),
    LCpeak: round2(r.LCpeak),
  };
}
