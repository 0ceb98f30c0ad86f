/**
 * IEC 61260-1:2014 class 1 acceptance limits on relative attenuation, and the
 * effective-bandwidth limit, for checking a fractional-octave filter.
 *
 * Source. Table 1 of IEC 61260-1:2014 (octave-band breakpoints G^x, class 1
 * minimum and maximum relative attenuation), 5.10 Formulas (9) and (10) (mapping
 * the octave breakpoints to a 1/b-octave filter and mirroring them below the
 * midband) and Formula (11) (linear interpolation in lg Ω between breakpoints),
 * as transcribed from BS EN 61260-1:2014 in the phonometry library
 * (github.com/jmrplens/phonometry, src/phonometry/compliance.py and its test
 * tests/test_compliance.py "Spot-check the transcription against BS EN
 * 61260-1:2014 Table 1"). That is a secondary source: the standard itself was
 * not available to check the figures against.
 *
 * Relative attenuation ΔA(Ω) = A(Ω) − A(1), with A the attenuation in dB and
 * Ω = f / fm the frequency normalised to the exact midband frequency.
 */

/** Octave frequency ratio, base 10: IEC 61260-1:2014 5.2, G = 10^(3/10). */
export const G = 10 ** (3 / 10);

export interface LimitRow {
  /** Breakpoint as the exponent x of the octave-band normalised frequency G^x (x ≥ 0; the low side mirrors it). */
  readonly x: number;
  /** Class 1 minimum relative attenuation, dB. */
  readonly min: number;
  /** Class 1 maximum relative attenuation, dB (Infinity: no upper limit). */
  readonly max: number;
}

/**
 * IEC 61260-1:2014 Table 1, class 1, pass band (Ω from 1 to the band edge G^(1/2), edge included).
 * The minimum is −0.4 dB throughout the pass band.
 */
export const PASS_BAND: readonly LimitRow[] = [
  { x: 0, min: -0.4, max: 0.4 },
  { x: 1 / 8, min: -0.4, max: 0.5 },
  { x: 1 / 4, min: -0.4, max: 0.7 },
  { x: 3 / 8, min: -0.4, max: 1.4 },
  { x: 1 / 2, min: -0.4, max: 5.3 },
];

/**
 * IEC 61260-1:2014 Table 1, class 1, stop band (just beyond the band edge G^(1/2) upwards;
 * no maximum). Beyond G^4 the minimum stays 70 dB.
 */
export const STOP_BAND: readonly LimitRow[] = [
  { x: 1 / 2, min: 1.2, max: Infinity },
  { x: 1, min: 16.6, max: Infinity },
  { x: 2, min: 40.5, max: Infinity },
  { x: 3, min: 60.0, max: Infinity },
  { x: 4, min: 70.0, max: Infinity },
];

/**
 * IEC 61260-1:2014 class 1 limit on the effective-bandwidth deviation ΔB = 10·lg(Be/Br), ±0.4 dB, with
 * Be = ∫ 10^(−ΔA(Ω)/10) dΩ and the reference bandwidth Br = G^(1/(2b)) − G^(−1/(2b)). The figure is the
 * one our issue states; no public transcription of this clause was found to cite beside it.
 */
export const EFFECTIVE_BANDWIDTH_LIMIT_DB = 0.4;

/**
 * IEC 61260-1:2014 Formula (9): the 1/b-octave normalised frequency of the octave breakpoint G^x
 * (x ≥ 0): 1 + (G^(1/(2b)) − 1)/(G^(1/2) − 1) · (G^x − 1). Formula (10) mirrors it: 1/Ω below fm.
 */
export function breakpointOmega(x: number, b: number): number {
  return 1 + ((G ** (1 / (2 * b)) - 1) / (G ** 0.5 - 1)) * (G ** x - 1);
}

/** Every class 1 breakpoint of a 1/b-octave filter, both sides of the midband, ascending (band edges once). */
export function breakpoints(b: number): number[] {
  const high = [...new Set([...PASS_BAND, ...STOP_BAND].map((r) => r.x))].map((x) => breakpointOmega(x, b));
  return [...high.slice(1).map((o) => 1 / o).reverse(), ...high];
}

function interpolate(rows: readonly LimitRow[], b: number, omega: number, key: 'min' | 'max'): number {
  // Formula (11): linear in lg Ω between breakpoints; constant beyond the last.
  const lg = Math.log10(omega);
  for (let i = 1; i < rows.length; i++) {
    const lo = rows[i - 1]!, hi = rows[i]!;
    const l0 = Math.log10(breakpointOmega(lo.x, b)), l1 = Math.log10(breakpointOmega(hi.x, b));
    if (lg <= l1) {
      const v0 = lo[key], v1 = hi[key];
      if (v0 === Infinity || v1 === Infinity) return Infinity;
      return v0 + ((v1 - v0) * (lg - l0)) / (l1 - l0);
    }
  }
  return rows[rows.length - 1]![key];
}

/**
 * Class 1 acceptance limits on relative attenuation at normalised frequency Ω for a 1/b-octave
 * filter: [min, max] in dB, max = Infinity outside the pass band. At the band edge itself the
 * pass-band limits apply (−0.4 … +5.3 dB); just beyond it the stop-band minimum of +1.2 dB.
 */
export function class1Limits(omega: number, b = 3): { min: number; max: number } {
  const o = omega < 1 ? 1 / omega : omega;
  const edge = breakpointOmega(0.5, b);
  const rows = o <= edge * (1 + 1e-12) ? PASS_BAND : STOP_BAND;
  return { min: interpolate(rows, b, o, 'min'), max: interpolate(rows, b, o, 'max') };
}
