/** Exponential time weighting of the squared, frequency-weighted signal (DESIGN §2). */

// IEC 61672-1:2013 5.8.1: time constants F = 0.125 s, S = 1 s.
export const TAU_FAST_S = 0.125;
export const TAU_SLOW_S = 1;

/** Per-sample smoothing coefficient α = 1 − e^(−1/(fs·τ)) for y += α·(x² − y). */
export function timeWeightingAlpha(sampleRate: number, tauSeconds: number): number {
  return -Math.expm1(-1 / (sampleRate * tauSeconds));
}

/** DESIGN §2: percentiles sample the F level every 10 ms. */
export const TICKS_PER_SECOND = 100;
