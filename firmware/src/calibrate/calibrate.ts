/**
 * Calibration from a sound calibrator (DESIGN §2): the installer fits a 94.0 dB /
 * 1 kHz calibrator over the microphone; we measure its LAeq through the live
 * engine and set fullScaleDb so that it reads the calibrator's level. Pure: takes
 * samples, returns the result or a reason the tone is not usable.
 *
 * At 1 kHz the A, C and Z weightings are all 0 dB (IEC 61672-1:2013 Table 3), so
 * LAeq of a clean calibrator tone equals its SPL, and LZeq − LAeq shows how much
 * low-frequency noise is mixed in.
 */
import { EarshotError, levelOfMeanSquare } from '@earshot/shared';
import { type IntervalLevels, LevelEngine } from '../measure/index.ts';

/** IEC 60942 sound calibrators: 94.0 dB re 20 µPa (1 Pa) at 1 kHz. */
export const CALIBRATOR_LEVEL_DB = 94.0;
export const CALIBRATOR_FREQUENCY_HZ = 1000;
/** IEC 60942:2017 class 1: frequency within ±1 %; allow for the device's sample clock too. */
const FREQUENCY_TOLERANCE = 0.03;
/** The first second holds the filters' and the installer's settling. */
const SETTLE_SECONDS = 1;
const MIN_MEASURE_SECONDS = 3;
/** A calibrator is steady to ±0.1 dB (IEC 60942 class 1 short-term fluctuation ≤ 0.07 dB): allow handling noise. */
const MAX_SPREAD_DB = 0.3;
/** More low-frequency energy than this beside the tone means it is not sealed on the mic. */
const MAX_Z_MINUS_A_DB = 1;
/** A microphone's sensitivity is known to well within this; more means no calibrator was fitted. */
const MAX_ADJUSTMENT_DB = 20;

export interface CalibrationInput {
  samples: Float64Array;
  sampleRate: number;
  /** fullScaleDb in force while the tone was recorded. */
  fullScaleDb: number;
  referenceDb?: number;
  /** Allow an adjustment beyond ±20 dB (a new microphone of unknown sensitivity). */
  force?: boolean;
}

export interface CalibrationResult {
  referenceDb: number;
  /** LAeq of the tone at the old fullScaleDb. */
  measuredDb: number;
  previousFullScaleDb: number;
  fullScaleDb: number;
  /** fullScaleDb − previousFullScaleDb. */
  adjustmentDb: number;
  frequencyHz: number;
  /** Max − min of the per-second LAeq over the measured seconds. */
  spreadDb: number;
  seconds: number;
  /** LZeq − LAeq of the tone: low-frequency noise beside it. */
  zMinusADb: number;
}

export function calibrate(input: CalibrationInput): CalibrationResult {
  const { samples, sampleRate, fullScaleDb } = input;
  const referenceDb = input.referenceDb ?? CALIBRATOR_LEVEL_DB;
  const seconds: IntervalLevels[] = [];
  const engine = new LevelEngine({ sampleRate, fullScaleDb, onInterval: (r) => seconds.push({ ...r }) });
  engine.process(samples);
  const measured = seconds.slice(SETTLE_SECONDS);
  if (measured.length < MIN_MEASURE_SECONDS) {
    throw new EarshotError('EARSHOT_E_CALIBRATION_TONE', `${(samples.length / sampleRate).toFixed(1)} s of audio; need at least ${SETTLE_SECONDS + MIN_MEASURE_SECONDS} s`);
  }
  if (measured.some((r) => r.silent)) throw new EarshotError('EARSHOT_E_CALIBRATION_TONE', 'the input is digitally silent (microphone not working?)');
  if (measured.some((r) => r.clippedSamples > 0)) throw new EarshotError('EARSHOT_E_CALIBRATION_TONE', 'the input clips: lower the capture gain');

  let msA = 0;
  let msZ = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of measured) {
    msA += r.msA;
    msZ += r.msZ;
    lo = Math.min(lo, r.LAeq!);
    hi = Math.max(hi, r.LAeq!);
  }
  const measuredDb = levelOfMeanSquare(msA / measured.length, fullScaleDb)!;
  const zMinusA = levelOfMeanSquare(msZ / measured.length, fullScaleDb)! - measuredDb;
  const start = SETTLE_SECONDS * sampleRate;
  const frequencyHz = toneFrequency(samples, start, start + measured.length * sampleRate, sampleRate);
  const spreadDb = hi - lo;

  if (Math.abs(frequencyHz - CALIBRATOR_FREQUENCY_HZ) > CALIBRATOR_FREQUENCY_HZ * FREQUENCY_TOLERANCE) {
    throw new EarshotError('EARSHOT_E_CALIBRATION_TONE', `the tone is at ${frequencyHz.toFixed(0)} Hz, not 1 kHz (is the calibrator fitted and switched on?)`);
  }
  if (zMinusA > MAX_Z_MINUS_A_DB) {
    throw new EarshotError('EARSHOT_E_CALIBRATION_TONE', `${zMinusA.toFixed(1)} dB of low-frequency noise beside the tone: seat the calibrator firmly on the microphone`);
  }
  if (spreadDb > MAX_SPREAD_DB) {
    throw new EarshotError('EARSHOT_E_CALIBRATION_TONE', `the level varied by ${spreadDb.toFixed(2)} dB (limit ${MAX_SPREAD_DB} dB): hold the calibrator still`);
  }
  const adjustmentDb = referenceDb - measuredDb;
  if (Math.abs(adjustmentDb) > MAX_ADJUSTMENT_DB && input.force !== true) {
    throw new EarshotError('EARSHOT_E_CALIBRATION_TONE', `it would change the calibration by ${adjustmentDb.toFixed(1)} dB (limit ±${MAX_ADJUSTMENT_DB} dB without --force)`);
  }
  return {
    referenceDb,
    measuredDb,
    previousFullScaleDb: fullScaleDb,
    fullScaleDb: fullScaleDb + adjustmentDb,
    adjustmentDb,
    frequencyHz,
    spreadDb,
    seconds: measured.length,
    zMinusADb: zMinusA,
  };
}

/** Frequency of a steady tone from its rising zero crossings, interpolated between samples. */
export function toneFrequency(x: Float64Array, start: number, end: number, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = Math.max(start, 1); i < end && i < x.length; i++) {
    const a = x[i - 1]!;
    const b = x[i]!;
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      last = t;
      crossings++;
    }
  }
  if (crossings < 2) return 0;
  return ((crossings - 1) * sampleRate) / (last - first);
}
