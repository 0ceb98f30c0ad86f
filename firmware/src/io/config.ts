/** The io section of the daemon config (zod): where the incident button and status LED are. */
import { z } from 'zod';

const Pin = z.union([z.number().int().min(0).max(255), z.string().regex(/^(A\d{1,2}|GPIO\d{1,2}|P1-\d{1,2})$/)]);

export const IoConfig = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('firmata'),
    /** Serial path of the Firmata board (the same board as a Firmata capture source may share it). */
    port: z.string().min(1),
    buttonPin: Pin.default(2),
    ledPin: Pin.default(13),
    pullup: z.boolean().default(true),
    debounceMs: z.number().int().min(1).max(1_000).default(50),
    minGapMs: z.number().int().min(0).max(60_000).default(2_000),
  }).strict(),
  z.object({ type: z.literal('signal'), signal: z.enum(['SIGUSR1', 'SIGUSR2', 'SIGHUP']).default('SIGUSR2') }).strict(),
  z.object({ type: z.literal('key'), key: z.string().length(1).default('i') }).strict(),
  z.object({ type: z.literal('none') }).strict(),
]);
export type IoConfig = z.infer<typeof IoConfig>;
