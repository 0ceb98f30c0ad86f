/**
 * Level conventions shared by every part of Earshot (DESIGN §2).
 * Levels are carried as energy (mean square of the weighted signal) and turned
 * into dB only at the output; digital silence is `null`, never -Infinity or NaN.
 */

/** DESIGN §2: a full-scale sine (peak 1.0) reads `fullScaleDb`. Typical MEMS mic: −26 dBFS at 94 dB SPL. */
export const DEFAULT_FULL_SCALE_DB = 120;

/** DESIGN §2: a sine of peak 1.0 has mean square 0.5, which reads fullScaleDb. */
export const FULL_SCALE_SINE_MS = 0.5;

/** Level of a mean square: 10·log10(ms / 0.5) + fullScaleDb (DESIGN §2). `null` when ms is 0 (silence). */
export function levelOfMeanSquare(ms: number, fullScaleDb: number): number | null {
  if (!(ms > 0)) return null;
  return 10 * Math.log10(ms / FULL_SCALE_SINE_MS) + fullScaleDb;
}

/** Mean square that reads `level` dB. */
export function meanSquareOfLevel(level: number, fullScaleDb: number): number {
  return FULL_SCALE_SINE_MS * 10 ** ((level - fullScaleDb) / 10);
}

/** Rounds a level to 0.01 dB for output (DESIGN §3), keeping null. */
export function round2(level: number | null): number | null {
  if (level === null) return null;
  return Math.round(level * 100) / 100;
}

/** Energy-mean of levels (dB), e.g. to combine LAeq over intervals of equal length. */
export function energyMean(levels: readonly (number | null)[]): number | null {
  let sum = 0;
  let n = 0;
  for (const l of levels) {
    if (l === null) continue;
    sum += 10 ** (l / 10);
    n++;
  }
  return n === 0 ? null : 10 * Math.log10(sum / n);
}
