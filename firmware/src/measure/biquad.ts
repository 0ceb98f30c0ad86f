/**
 * A second-order IIR section, normalised so a0 = 1:
 * y[n] = b0·x[n] + b1·x[n−1] + b2·x[n−2] − a1·y[n−1] − a2·y[n−2].
 * The engine runs these inline (coefficients in locals); this module holds the
 * coefficient maths and the frequency response used by design and tests.
 */
export interface Biquad {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/** |H(e^{jω})| of a cascade of sections, ω = 2πf/fs. */
export function cascadeMagnitude(sections: readonly Biquad[], f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  const c1 = Math.cos(w);
  const s1 = Math.sin(w);
  const c2 = Math.cos(2 * w);
  const s2 = Math.sin(2 * w);
  let mag = 1;
  for (const q of sections) {
    const nr = q.b0 + q.b1 * c1 + q.b2 * c2;
    const ni = -(q.b1 * s1 + q.b2 * s2);
    const dr = 1 + q.a1 * c1 + q.a2 * c2;
    const di = -(q.a1 * s1 + q.a2 * s2);
    mag *= Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
  }
  return mag;
}

/** A section scaled by a constant gain. */
export function scaleBiquad(q: Biquad, g: number): Biquad {
  return { b0: q.b0 * g, b1: q.b1 * g, b2: q.b2 * g, a1: q.a1, a2: q.a2 };
}
