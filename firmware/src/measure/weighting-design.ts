/**
 * Digital A and C weighting filters for any sample rate from 8 to 192 kHz.
 *
 * The Annex E analogue weightings factor into
 *   C(s) = k_C · [s²/(s+ω1)²] · [ω4²/(s+ω4)²]
 *   A(s) = k_A · [s²/(s+ω1)²] · [s²/((s+ω2)(s+ω3))] · [ω4²/(s+ω4)²]
 * so both share the ω1 high-pass and the ω4 low-pass, and A is C followed by
 * the ω2·ω3 high-pass: three biquads serve both weightings.
 *
 * High-passes (ω1, ω2, ω3 ≤ 738 Hz): bilinear transform, each pole pre-warped so
 * its corner lands exactly; their gain tends to 1 at high frequencies, as the
 * analogue one does, so the transform's compression near Nyquist costs nothing.
 *
 * Low-pass (ω4 = 12.2 kHz): the plain bilinear transform would put its two excess
 * poles as zeros at Nyquist, reading −1.2 dB at 10 kHz and −2.7 dB at 12.5 kHz at
 * 48 kHz. Instead it is a double real pole whose numerator is solved so the digital
 * magnitude equals the analogue one exactly at DC, at a fitting frequency and at
 * Nyquist, where the analogue low-pass is far from zero (after M. Vicanek,
 * "Matched Second Order Digital Filters", 2016). The pole and the fitting frequency
 * are then searched so that the whole A and C cascades stay closest to Annex E,
 * which also absorbs the high-passes' small warping at low sample rates.
 */
import { A1000_DB, C1000_DB, F1, F2, F3, F4, annexEA, annexEC } from './annex-e.ts';
import { type Biquad, cascadeMagnitude, scaleBiquad } from './biquad.ts';
import { type Coefficients, WEIGHTING_TABLE } from './weighting-table.ts';

export interface WeightingFilters {
  readonly sampleRate: number;
  /** Shared ω1 double high-pass. */
  readonly hp1: Biquad;
  /** Shared ω4 double low-pass, carrying the C normalisation gain. */
  readonly lp4: Biquad;
  /** A-only ω2·ω3 high-pass, carrying the A/C gain ratio. */
  readonly hp23: Biquad;
}

export const MIN_SAMPLE_RATE = 8_000;
export const MAX_SAMPLE_RATE = 192_000;

/** Pole of a pre-warped bilinear first-order high-pass s/(s+ωc), and its gain. */
function prewarpedHighPassPole(fc: number, fs: number): { pole: number; gain: number } {
  const t = Math.tan((Math.PI * fc) / fs);
  return { pole: (1 - t) / (1 + t), gain: 1 / (1 + t) };
}

/** Two first-order high-passes (fa, fb) as one biquad: g·(1 − z⁻¹)² / ((1 − pa z⁻¹)(1 − pb z⁻¹)). */
function highPassPair(fa: number, fb: number, fs: number): Biquad {
  const a = prewarpedHighPassPole(fa, fs);
  const b = prewarpedHighPassPole(fb, fs);
  const g = a.gain * b.gain;
  return { b0: g, b1: -2 * g, b2: g, a1: -(a.pole + b.pole), a2: a.pole * b.pole };
}

/** |ω4² / (jω + ω4)²|² at f: the analogue low-pass factor, magnitude squared. */
function lowPassTarget(f: number): number {
  const r = (f / F4) ** 2;
  return 1 / ((1 + r) * (1 + r));
}

/**
 * Double-pole low-pass (1 − p z⁻¹)⁻² with its numerator solved so the digital
 * magnitude equals the analogue one exactly at DC, at `fFit` and at Nyquist.
 * With φ1 = sin²(ω/2), φ0 = 1 − φ1, φ2 = 4φ0φ1, a numerator's squared magnitude is
 * B0·φ0 + B1·φ1 + B2·φ2 where B0 = (b0+b1+b2)², B1 = (b0−b1+b2)², B2 = −4·b0·b2
 * (M. Vicanek, "Matched Second Order Digital Filters", 2016). `null` when no real
 * numerator reaches the three targets.
 */
export function pinnedLowPass(fs: number, p: number, fFit: number): Biquad | null {
  const a1 = -2 * p;
  const a2 = p * p;
  const denSq = (w: number): number => {
    const d = 1 + a1 * Math.cos(w) + a2 * Math.cos(2 * w);
    const e = a1 * Math.sin(w) + a2 * Math.sin(2 * w);
    return d * d + e * e;
  };
  const B0 = lowPassTarget(0) * denSq(0);
  const B1 = lowPassTarget(fs / 2) * denSq(Math.PI);
  const wm = (2 * Math.PI * fFit) / fs;
  const phi1 = Math.sin(wm / 2) ** 2;
  const phi0 = 1 - phi1;
  const phi2 = 4 * phi0 * phi1;
  const B2 = (lowPassTarget(fFit) * denSq(wm) - B0 * phi0 - B1 * phi1) / phi2;
  const sB0 = Math.sqrt(B0);
  const sB1 = Math.sqrt(B1);
  const W = (sB0 + sB1) / 2;
  const disc = W * W + B2;
  if (disc < 0) return null;
  // b0 and b2 are the roots of t² − W·t − B2/4 = 0.
  const b0 = (W + Math.sqrt(disc)) / 2;
  return { b0, b1: (sB0 - sB1) / 2, b2: W - b0, a1, a2 };
}

/** Issue #2 accuracy bar: ±0.1 dB of Annex E to 10 kHz, ±0.5 dB to 16 kHz; class 1 to 0.45·fs below 35.6 kHz. */
const FIT_TOP_HZ = 16_000;
const FIT_BAND_EDGE_HZ = 10_000;
const FIT_TOL_LOW_DB = 0.1;
const FIT_TOL_HIGH_DB = 0.5;

/**
 * Chooses the low-pass pole and fitting frequency that minimise the worst error of
 * the whole A and C cascades against Annex E from 10 Hz to min(16 kHz, 0.45·fs),
 * errors above 10 kHz counting at a fifth of their size (the tolerance ratio).
 * The search is a deterministic grid refined twice, once per rate; the common rates' results are tabulated.
 */
function fitLowPass(fs: number, hp1: Biquad, hp23: Biquad): Biquad {
  const top = Math.min(FIT_TOP_HZ, 0.45 * fs);
  const freqs: number[] = [];
  for (let f = 10; f <= top; f *= 1.03) freqs.push(f);
  freqs.push(top);
  // Everything but the low-pass is fixed: precompute its error terms per frequency.
  const restA = freqs.map((f) => 20 * Math.log10(cascadeMagnitude([hp1, hp23], f, fs)) - annexEA(f));
  const restC = freqs.map((f) => 20 * Math.log10(cascadeMagnitude([hp1], f, fs)) - annexEC(f));
  const score = (q: Biquad): number => {
    // Normalise both cascades at 1 kHz as designWeighting will.
    const atK = 20 * Math.log10(cascadeMagnitude([q], 1000, fs));
    const kA = 20 * Math.log10(cascadeMagnitude([hp1, hp23], 1000, fs)) - annexEA(1000) + atK;
    const kC = 20 * Math.log10(cascadeMagnitude([hp1], 1000, fs)) - annexEC(1000) + atK;
    let worst = 0;
    for (let i = 0; i < freqs.length; i++) {
      const f = freqs[i] as number;
      const lp = 20 * Math.log10(cascadeMagnitude([q], f, fs));
      const tol = f <= FIT_BAND_EDGE_HZ ? FIT_TOL_LOW_DB : FIT_TOL_HIGH_DB;
      const eA = Math.abs((restA[i] as number) + lp - kA) / tol;
      const eC = Math.abs((restC[i] as number) + lp - kC) / tol;
      if (eA > worst) worst = eA;
      if (eC > worst) worst = eC;
    }
    return worst;
  };
  let best: { q: Biquad; s: number; p: number; frac: number } | null = null;
  let pLo = -0.9, pHi = 0.9, pStep = 0.05, fLo = 0.05, fHi = 0.49, fStep = 0.02;
  for (let round = 0; round < 3; round++) {
    for (let p = pLo; p <= pHi + 1e-12; p += pStep) {
      for (let frac = fLo; frac <= fHi + 1e-12; frac += fStep) {
        const q = pinnedLowPass(fs, p, frac * fs);
        if (q === null) continue;
        const s = score(q);
        if (best === null || s < best.s) best = { q, s, p, frac };
      }
    }
    if (best === null) break;
    pLo = Math.max(-0.95, best.p - pStep); pHi = Math.min(0.95, best.p + pStep); pStep /= 10;
    fLo = Math.max(0.01, best.frac - fStep); fHi = Math.min(0.499, best.frac + fStep); fStep /= 10;
  }
  if (best === null) throw new Error(`no low-pass fit at ${fs} Hz`);
  return best.q;
}

const designs = new Map<number, WeightingFilters>();

const section = ([b0, b1, b2, a1, a2]: Coefficients): Biquad => ({ b0, b1, b2, a1, a2 });

/**
 * The A and C filters for a sample rate: a pure function of it, so taken from weighting-table.ts for the common
 * rates (what the search gives, bit for bit) and otherwise searched once per rate.
 */
export function designWeighting(sampleRate: number): WeightingFilters {
  let w = designs.get(sampleRate);
  if (w === undefined) {
    const t = Object.hasOwn(WEIGHTING_TABLE, sampleRate) ? WEIGHTING_TABLE[sampleRate] : undefined;
    w = t === undefined ? searchWeighting(sampleRate) : { sampleRate, hp1: section(t.hp1), lp4: section(t.lp4), hp23: section(t.hp23) };
    designs.set(sampleRate, w);
  }
  return w;
}

/** The design itself, run afresh (designWeighting keeps its results; the table holds those of the common rates). */
export function searchWeighting(sampleRate: number): WeightingFilters {
  if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
    throw new RangeError(`sample rate ${sampleRate} Hz is outside ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`);
  }
  const hp1 = highPassPair(F1, F1, sampleRate);
  const hp23 = highPassPair(F2, F3, sampleRate);
  const lp4raw = fitLowPass(sampleRate, hp1, hp23);
  // Normalise to the Annex E value at 1 kHz (≈ 0 dB: the +2.000 / +0.062 dB constants).
  const cGain = 10 ** (annexEC(1000) / 20) / cascadeMagnitude([hp1, lp4raw], 1000, sampleRate);
  const lp4 = scaleBiquad(lp4raw, cGain);
  const aGain = 10 ** (annexEA(1000) / 20) / cascadeMagnitude([hp1, lp4, highPassPair(F2, F3, sampleRate)], 1000, sampleRate);
  return { sampleRate, hp1, lp4, hp23: scaleBiquad(hp23, aGain) };
}

/** Designed A response in dB at f (for tests and documentation). */
export function designedA(w: WeightingFilters, f: number): number {
  return 20 * Math.log10(cascadeMagnitude([w.hp1, w.lp4, w.hp23], f, w.sampleRate));
}

/** Designed C response in dB at f. */
export function designedC(w: WeightingFilters, f: number): number {
  return 20 * Math.log10(cascadeMagnitude([w.hp1, w.lp4], f, w.sampleRate));
}

export { A1000_DB, C1000_DB };
