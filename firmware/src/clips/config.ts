/** The clips section of the daemon config (zod): per-deployment audio mode and clip timing. */
import { z } from 'zod';

export const ClipsConfig = z.object({
  /** Issue 3: off | button-only | on-event (default). */
  mode: z.enum(['off', 'button-only', 'on-event']).default('on-event'),
  dir: z.string().min(1).default('./clips'),
  preSeconds: z.number().min(0).max(60).default(10),
  maxSeconds: z.number().positive().max(600).default(60),
  postSeconds: z.number().min(0).max(60).default(5),
  incidentSeconds: z.number().positive().max(600).default(20),
}).strict();
export type ClipsConfig = z.infer<typeof ClipsConfig>;
