/**
 * Body of earshot/v1/<id>/clip (DESIGN §4): the manifest of one audio clip. The
 * chunks travel raw on earshot/v1/<id>/clip/<clipId>/<n>; their integrity comes
 * from this signed sha256. The calibration and pre/post seconds travel with it,
 * so levels can be recomputed from the clip alone.
 */
import { z } from 'zod';
import { IsoUtcMs } from '../envelope.ts';
import { CLIP_ID_PATTERN } from '../topics.ts';
import { EventId, Sha256Hex } from './common.ts';

/** A clip is at most a few minutes; 64 MiB bounds any clip the device can make. */
export const MAX_CLIP_BYTES = 64 * 1024 * 1024;
/** Chunk size the device uses; well under the broker's packet limit. */
export const CLIP_CHUNK_BYTES = 64 * 1024;

export const ClipManifest = z.object({
  clipId: z.string().regex(CLIP_ID_PATTERN),
  eventId: EventId,
  /** SHA-256 of the whole WAV file. */
  sha256: Sha256Hex,
  bytes: z.number().int().positive().max(MAX_CLIP_BYTES),
  chunks: z.number().int().positive().max(Math.ceil(MAX_CLIP_BYTES / 1024)),
  chunkBytes: z.number().int().positive().max(1024 * 1024),
  sampleRate: z.number().int().min(8_000).max(192_000),
  channels: z.number().int().min(1).max(8),
  bitsPerSample: z.union([z.literal(16), z.literal(24), z.literal(32)]),
  /** DESIGN §2 calibration in force when the clip was recorded. */
  fullScaleDb: z.number().min(0).max(250),
  /** Device time of the first sample. */
  startedAt: IsoUtcMs,
  durationSeconds: z.number().positive().max(3_600),
  preTriggerSeconds: z.number().nonnegative().max(600),
  postTriggerSeconds: z.number().nonnegative().max(600),
}).refine((m) => m.chunks === Math.ceil(m.bytes / m.chunkBytes), { message: 'chunks must equal ceil(bytes / chunkBytes)', path: ['chunks'] });
export type ClipManifest = z.infer<typeof ClipManifest>;
