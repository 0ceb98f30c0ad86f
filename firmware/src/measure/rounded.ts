/** An interval's levels as they are printed and sent: dB to 0.01, silence as null (DESIGN §2, §3). */
import { round2 } from '@earshot/shared';
import type { IntervalLevels } from './types.ts';

export type RoundedLevels = Pick<IntervalLevels, 'LAeq' | 'LCeq' | 'LZeq' | 'LAFmax' | 'LAFmin' | 'LASmax' | 'LCpeak'>;

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
