/** A diary entry: the complainant's own record of one episode (validated with zod). */
import { z } from 'zod';
import { PersonName } from './case-input.ts';
import { ResidentTime } from './local-time-input.ts';

export const DiaryEntryInput = z
  .object({
    startedAt: ResidentTime,
    endedAt: ResidentTime.optional(),
    /** What they heard. */
    heard: z.string().trim().min(1).max(4000),
    /** How it affected them. */
    effect: z.string().trim().max(4000).optional(),
    /** Who wrote the entry, when not the complainant (e.g. "officer by phone"). */
    recordedBy: PersonName.optional(),
  })
  .refine((e) => e.endedAt === undefined || e.endedAt >= e.startedAt, { message: 'ended before it started', path: ['endedAt'] });
export type DiaryEntryInput = z.input<typeof DiaryEntryInput>;

/** The confidential part of an entry, committed in its leaf (content.ts). */
export const DiaryContent = z.object({
  salt: z.string(),
  heard: z.string(),
  effect: z.string().nullable(),
  recordedBy: z.string().nullable(),
});
export type DiaryContent = z.infer<typeof DiaryContent>;
