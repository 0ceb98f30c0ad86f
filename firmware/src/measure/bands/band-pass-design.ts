/**
 * Digital 1/3-octave band-pass filters: a 6th-order Butterworth band-pass (3rd-order
 * low-pass prototype through the low-pass → band-pass transformation) made digital by
 * the bilinear transform with both band edges pre-warped, so the −3 dB points fall
 * exactly on the IEC 61260-1 band edges at the rate the filter runs at.
 *
 * A 3rd-order prototype meets the class 1 mask with room: at the mapped breakpoints
 * G^1, G^2, G^3, G^4 the analogue response is 21, 46, 64 and 81 dB down (limits 16.6, 40.5,
 * 60, 70 dB), 0.6 dB at G^(3/8) (limit 1.4 dB), and its effective bandwidth is
 * (π/6)/sin(π/6) of the reference, +0.20 dB (limit ±0.4 dB).
 *
 * Near half its rate the bilinear transform stretches a band on the tangent scale, so the
 * pre-warped analogue filter is relatively wider and its lower skirt shallower (a band at
 * 0.38 of its rate is only 55 dB down at G^−3, where class 1 asks 60 dB). The bank
 * (filter-bank-design.ts) then raises the prototype order for that band until the
 * realised response meets the mask.
 *
 * Each biquad carries one zero at DC and one at Nyquist, g·(1 − z⁻²), so b1 = 0.
 */
import { type Biquad, cascadeMagnitude } from '../biquad.ts';

/** Default order of the Butterworth low-pass prototype (the band-pass has twice the order). */
export const PROTOTYPE_ORDER = 3;

interface Complex {
  re: number;
  im: number;
}

function csqrt(a: Complex): Complex {
  const r = Math.hypot(a.re, a.im);
  const re = Math.sqrt((r + a.re) / 2);
  const im = Math.sqrt(Math.max(0, (r - a.re) / 2));
  return { re, im: a.im < 0 ? -im : im };
}

/** z = (1 + s) / (1 − s): the bilinear transform with s normalised so that Ω = tan(ω/2). */
function bilinear(s: Complex): Complex {
  const nr = 1 + s.re, ni = s.im, dr = 1 - s.re, di = -s.im;
  const d = dr * dr + di * di;
  return { re: (nr * dr + ni * di) / d, im: (ni * dr - nr * di) / d };
}

/** The section with poles z, z̄ and zeros at ±1, gain not yet set. */
function section(z: Complex): Biquad {
  return { b0: 1, b1: 0, b2: -1, a1: -2 * z.re, a2: z.re * z.re + z.im * z.im };
}

/**
 * Butterworth band-pass from `lower` to `upper` Hz at `rate` Hz, as biquads each scaled to unit
 * gain at `fm` (so the cascade reads 0 dB there).
 */
export function designBandPass(lower: number, upper: number, fm: number, rate: number, order = PROTOTYPE_ORDER): Biquad[] {
  // Pre-warped edges (bilinear with s = (z − 1)/(z + 1)).
  const wl = Math.tan((Math.PI * lower) / rate);
  const wu = Math.tan((Math.PI * upper) / rate);
  const w0sq = wl * wu;
  const bw = wu - wl;
  const sections: Biquad[] = [];
  for (let k = 1; k <= order; k++) {
    const theta = ((2 * k - 1) * Math.PI) / (2 * order);
    const p: Complex = { re: -Math.sin(theta), im: Math.cos(theta) };
    // Only poles in the upper half plane (or the real one) yield new sections: conjugates pair up.
    if (p.im < -1e-12) continue;
    // s² − p·B·s + ω0² = 0.
    const pb: Complex = { re: p.re * bw, im: p.im * bw };
    const disc = csqrt({ re: pb.re * pb.re - pb.im * pb.im - 4 * w0sq, im: 2 * pb.re * pb.im });
    const s1: Complex = { re: (pb.re + disc.re) / 2, im: (pb.im + disc.im) / 2 };
    const s2: Complex = { re: (pb.re - disc.re) / 2, im: (pb.im - disc.im) / 2 };
    if (Math.abs(p.im) < 1e-12) {
      // The real prototype pole gives one conjugate pair.
      sections.push(section(bilinear(s1)));
    } else {
      sections.push(section(bilinear(s1)), section(bilinear(s2)));
    }
  }
  return sections.map((q) => {
    const g = 1 / cascadeMagnitude([q], fm, rate);
    return { b0: g, b1: 0, b2: -g, a1: q.a1, a2: q.a2 };
  });
}
