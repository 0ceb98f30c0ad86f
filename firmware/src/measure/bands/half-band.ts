/**
 * The anti-alias filter of each octave decimation: a linear-phase half-band FIR
 * (every other tap zero, the centre tap ½), Kaiser-windowed, computed only at the
 * output rate. Its pass band reaches `pass`·rate and its stop band starts at
 * (½ − pass)·rate; it is designed once per sample rate with the fewest taps that
 * reach `stopDb` there (the pass-band ripple of a half-band filter is the same δ,
 * so 75 dB of stop band is ±0.0002 dB of ripple).
 */

/** Kaiser's I0 by its power series (converges fast for the β used here). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  for (let k = 1; k < 60; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

export interface HalfBand {
  /** Half-length M (odd): taps run from −M to M, length 2M + 1. */
  readonly m: number;
  /** h[1], h[3], …, h[M]: the non-zero taps off centre (h[−k] = h[k]; h[0] = ½). */
  readonly odd: Float64Array;
}

/** |H(f)| with f as a fraction of the filter's rate. */
export function halfBandMagnitude(h: HalfBand, frac: number): number {
  const w = 2 * Math.PI * frac;
  let v = 0.5;
  for (let j = 0; j < h.odd.length; j++) v += 2 * h.odd[j]! * Math.cos(w * (2 * j + 1));
  return Math.abs(v);
}

function kaiserHalfBand(m: number, beta: number): HalfBand {
  const odd = new Float64Array((m + 1) / 2);
  const i0b = besselI0(beta);
  for (let j = 0; j < odd.length; j++) {
    const n = 2 * j + 1;
    const ideal = Math.sin((Math.PI * n) / 2) / (Math.PI * n);
    odd[j] = (ideal * besselI0(beta * Math.sqrt(1 - (n / (m + 1)) ** 2))) / i0b;
  }
  return { m, odd };
}

/** Worst pass-band deviation and stop-band gain (linear) on a fine grid. */
function worst(h: HalfBand, pass: number): { ripple: number; stop: number } {
  let ripple = 0, stop = 0;
  const steps = 200;
  for (let i = 0; i <= steps; i++) {
    const fp = (pass * i) / steps;
    ripple = Math.max(ripple, Math.abs(halfBandMagnitude(h, fp) - 1));
    const fsb = 0.5 - pass + (pass * i) / steps;
    stop = Math.max(stop, halfBandMagnitude(h, fsb));
  }
  return { ripple, stop };
}

/** The shortest Kaiser half-band meeting `stopDb` beyond (½ − pass)·rate, and the same ripple in the pass band. */
export function designHalfBand(pass: number, stopDb: number): HalfBand {
  const delta = 10 ** (-stopDb / 20);
  // Start a little below Kaiser's estimates of the length and β (Oppenheim & Schafer, eqs. 7.62–7.63).
  const width = 2 * Math.PI * (0.5 - 2 * pass);
  const estimate = Math.ceil((stopDb - 8) / (2.285 * width) / 2);
  const beta0 = 0.1102 * (stopDb - 8.7);
  for (let m = Math.max(3, estimate - 6) | 1; m < 400; m += 2) {
    for (let beta = beta0 - 2; beta <= beta0 + 2; beta += 0.1) {
      const h = kaiserHalfBand(m, beta);
      const w = worst(h, pass);
      if (Math.max(w.stop, w.ripple) <= delta) return h;
    }
  }
  throw new Error(`no half-band filter reaches ${stopDb} dB beyond ${0.5 - pass} of the rate`);
}
