/**
 * Body of earshot/v1/<id>/levels: a batch of level records (DESIGN §4), normally
 * ten 1 s records. When a device's outbox reaches its quota it compacts queued
 * 1 s records into coarser ones (energy-mean LAeq, max of maxima); those carry
 * `n`, the number of 1 s records they stand for.
 */
import { z } from 'zod';
import { IsoUtcMs } from '../envelope.ts';
import { Level } from './common.ts';

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
});
export type LevelRecord = z.infer<typeof LevelRecord>;

/** DESIGN §4 batches 1 s records; 3 600 bounds a message (1 h of 1 s records). */
export const MAX_RECORDS_PER_BATCH = 3_600;

export const LevelsBody = z.object({
  fullScaleDb: z.number().min(0).max(250),
  records: z.array(LevelRecord).min(1).max(MAX_RECORDS_PER_BATCH),
});
export type LevelsBody = z.infer<typeof LevelsBody>;
