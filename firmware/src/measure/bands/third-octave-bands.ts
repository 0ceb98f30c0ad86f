/**
 * The 1/3-octave bands Earshot measures (DESIGN §3 "Bands"): base-10 exact midband
 * frequencies fm = 1000·10^(k/10) Hz (IEC 61260-1:2014 5.4, Formula (2) with G = 10^(3/10),
 * b = 3), band edges fm·G^(∓1/6) (5.6, Formulas (4) and (5)), keyed by the nominal midband
 * frequencies of IEC 61260-1:2014 Annex E, 10 Hz to 20 kHz.
 */

import { NOMINAL_THIRD_OCTAVES } from '@earshot/shared';

/** IEC 61260-1:2014 Annex E, Table E.1, 10 Hz – 20 kHz, k = −20 … 13: one list in shared for the monitor and the ingest. */
export { NOMINAL_THIRD_OCTAVES };

/** Band number k of the first entry (10 Hz): fm = 1000·10^(k/10). */
const FIRST_K = -20;

/** DESIGN §3: a band is measured when its upper edge is below this fraction of the sample rate. */
export const BAND_EDGE_LIMIT = 0.45;

export interface ThirdOctaveBand {
  /** Nominal midband as IEC 61260-1 Annex E writes it ("31.5"). */
  readonly nominal: string;
  /** Exact midband frequency, Hz. */
  readonly fm: number;
  /** Lower and upper band-edge frequencies, Hz. */
  readonly lower: number;
  readonly upper: number;
}

/** IEC 61260-1:2014 Formula (4)/(5) with b = 3: the band edges are fm·G^(±1/(2b)) = fm·10^(±0.05). */
const HALF_BAND = 10 ** 0.05;

export const THIRD_OCTAVE_BANDS: readonly ThirdOctaveBand[] = NOMINAL_THIRD_OCTAVES.map((nominal, i) => {
  const fm = 1000 * 10 ** ((FIRST_K + i) / 10);
  return { nominal, fm, lower: fm / HALF_BAND, upper: fm * HALF_BAND };
});

/** The bands present at a sample rate: upper edge below 0.45·fs (DESIGN §3), lowest first. */
export function bandsForSampleRate(sampleRate: number): ThirdOctaveBand[] {
  return THIRD_OCTAVE_BANDS.filter((b) => b.upper < BAND_EDGE_LIMIT * sampleRate);
}
