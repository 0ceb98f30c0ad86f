/**
 * The A and C frequency weightings as IEC 61672-1:2013 Annex E defines them:
 * the analogue reference that the digital filters are designed against and tested on.
 */

// IEC 61672-1:2013 Annex E, E.2 and E.3: pole frequencies in Hz.
export const F1 = 20.598997;
export const F2 = 107.65265;
export const F3 = 737.86223;
export const F4 = 12194.217;

// IEC 61672-1:2013 Annex E: normalisation constants making the weighting 0 dB at 1 kHz.
export const A1000_DB = 2.0;
export const C1000_DB = 0.062;

/** A-weighting in dB at frequency f (Hz), IEC 61672-1:2013 eq. (E.6). */
export function annexEA(f: number): number {
  const f2 = f * f;
  const num = F4 * F4 * f2 * f2;
  const den = (f2 + F1 * F1) * Math.sqrt(f2 + F2 * F2) * Math.sqrt(f2 + F3 * F3) * (f2 + F4 * F4);
  return 20 * Math.log10(num / den) + A1000_DB;
}

/** C-weighting in dB at frequency f (Hz), IEC 61672-1:2013 eq. (E.1). */
export function annexEC(f: number): number {
  const f2 = f * f;
  return 20 * Math.log10((F4 * F4 * f2) / ((f2 + F1 * F1) * (f2 + F4 * F4))) + C1000_DB;
}

/** Exact nominal frequency of 1/3-octave band n (IEC 61672-1:2013 5.4.2 / IEC 61260-1): 1000·10^(0.1(n−30)). */
export function thirdOctaveFrequency(n: number): number {
  return 1000 * 10 ** (0.1 * (n - 30));
}
