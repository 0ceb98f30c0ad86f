/**
 * Body of earshot/v1/<id>/levels: a batch of level records (DESIGN §4), normally
 * ten 1 s records. When a device's outbox reaches its quota it compacts queued
 * 1 s records into coarser ones (energy-mean LAeq, max of maxima); those carry
 * `n`, the number of 1 s records they stand for. A record may carry `Z3`, its
 * 1/3-octave band levels (DESIGN §3 "Bands").
 */
import { z } from 'zod';
import { IsoUtcMs } from '../envelope.ts';
import { Level } from './common.ts';

/**
 * IEC 61260-1:2014 Annex E, Table E.1: the nominal 1/3-octave midband frequencies,
 * 10 Hz – 20 kHz (band numbers k = −20 … 13, exact midband 1000·10^(k/10) Hz), written as
 * DESIGN §3 keys them. The order is the order of `Z3.dB10`.
 */
export const NOMINAL_THIRD_OCTAVES = [
  '10', '12.5', '16', '20', '25', '31.5', '40', '50', '63', '80',
  '100', '125', '160', '200', '250', '315', '400', '500', '630', '800',
  '1000', '1250', '1600', '2000', '2500', '3150', '4000', '5000', '6300', '8000',
  '10000', '12500', '16000', '20000',
] as const;
export type NominalThirdOctave = (typeof NOMINAL_THIRD_OCTAVES)[number];

/** At most one value per nominal band: 34 (10 Hz – 20 kHz). */
export const MAX_THIRD_OCTAVE_BANDS = NOMINAL_THIRD_OCTAVES.length;

/** Band levels travel in 0.1 dB integers; the bounds are those of `Level` (−200 … 250 dB). */
export const BAND_DB10_MIN = -2_000;
export const BAND_DB10_MAX = 2_500;

/**
 * `Z3`: the Z-weighted Leq over the record's interval of each consecutive 1/3-octave band,
 * from the band `f0` upwards, in 0.1 dB integers (`dB10`, rounded half away from zero);
 * null for a band in digital silence. The bands run no higher than 20 kHz.
 */
export const ThirdOctaveLevels = z.strictObject({
  f0: z.enum(NOMINAL_THIRD_OCTAVES),
  dB10: z.array(z.number().int().min(BAND_DB10_MIN).max(BAND_DB10_MAX).nullable()).min(1).max(MAX_THIRD_OCTAVE_BANDS),
}).refine((b) => NOMINAL_THIRD_OCTAVES.indexOf(b.f0) + b.dB10.length <= MAX_THIRD_OCTAVE_BANDS, {
  message: 'the bands run past 20 kHz (f0 plus the number of bands exceeds the 34 nominal bands)',
  path: ['dB10'],
});
export type ThirdOctaveLevels = z.infer<typeof ThirdOctaveLevels>;
/** What the helpers below read: a `Z3`, readonly or not. */
export interface ThirdOctaveView {
  readonly f0: NominalThirdOctave;
  readonly dB10: readonly (number | null)[];
}

/** A band level in dB as a 0.1 dB integer: rounded half away from zero, clamped to the schema's bounds. */
export function bandDb10(level: number): number {
  const r = (level < 0 ? -Math.round(-level * 10) : Math.round(level * 10)) + 0; // + 0: no −0
  return r < BAND_DB10_MIN ? BAND_DB10_MIN : r > BAND_DB10_MAX ? BAND_DB10_MAX : r;
}

/** The nominal band keys of `Z3.dB10`, in order (e.g. f0 "20", 3 bands → "20", "25", "31.5"). */
export function thirdOctaveKeys(bands: ThirdOctaveView): NominalThirdOctave[] {
  const i0 = NOMINAL_THIRD_OCTAVES.indexOf(bands.f0);
  return NOMINAL_THIRD_OCTAVES.slice(i0, i0 + bands.dB10.length);
}

/** `Z3` band by band, lowest first: [nominal midband, level in dB (0.1 dB resolution) or null]. */
export function thirdOctaveEntries(bands: ThirdOctaveView): [NominalThirdOctave, number | null][] {
  const keys = thirdOctaveKeys(bands);
  return keys.map((k, i) => {
    const v = bands.dB10[i] ?? null;
    return [k, v === null ? null : v / 10];
  });
}

/**
 * `Z3` as DESIGN §3 keys bands: `{"10": 41.2, "12.5": null, …}` in dB. A JavaScript object lists
 * integer keys ("10", "16", …) before the others ("12.5"): take the order from thirdOctaveEntries.
 */
export function expandThirdOctaves(bands: ThirdOctaveView): Record<string, number | null> {
  return Object.fromEntries(thirdOctaveEntries(bands));
}

export const LevelRecord = z.object({
  /** Device time of the interval start. */
  t: IsoUtcMs,
  /** Interval length in seconds (1, or longer when compacted). */
  d: z.number().positive().max(86_400),
  LAeq: Level,
  LCeq: Level,
  LZeq: Level,
  LAFmax: Level,
  LAFmin: Level,
  LASmax: Level,
  LCpeak: Level,
  /** Samples at full scale in the interval (levels are underestimates). */
  clipped: z.number().int().nonnegative().optional(),
  /** Digital silence: a dead input, levels null. */
  silent: z.literal(true).optional(),
  /** Number of 1 s records merged into this one by outbox compaction. */
  n: z.number().int().min(2).optional(),
  /** 1/3-octave band Leq over the interval (DESIGN §3 "Bands"), when the config asks for bands. */
  Z3: ThirdOctaveLevels.optional(),
});
export type LevelRecord = z.infer<typeof LevelRecord>;

/** DESIGN §4 batches 1 s records; 3 600 bounds a message (1 h of 1 s records). */
export const MAX_RECORDS_PER_BATCH = 3_600;

export const LevelsBody = z.object({
  fullScaleDb: z.number().min(0).max(250),
  records: z.array(LevelRecord).min(1).max(MAX_RECORDS_PER_BATCH),
});
export type LevelsBody = z.infer<typeof LevelsBody>;
