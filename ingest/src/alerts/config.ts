/** Live alert settings (zod-validated at startup). */
import { z } from 'zod';

export const AlertConfig = z.object({
  /** Where to POST alerts (JSON). Without it alerts go to the log only. */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** When set, each POST carries `X-Earshot-Signature: sha256=<hex HMAC-SHA256 of the body>` (RFC 2104). */
  secret: z.string().min(16).optional(),
  /**
   * Per attempt. Issue 4 asks for the alert within 2 s of the device publishing it,
   * so the first attempt must finish well inside that.
   */
  timeoutMs: z.number().int().min(50).max(30_000).default(1_500),
  /** Further attempts after the first fails (network error, timeout, 408, 429 or 5xx). */
  retries: z.number().int().min(0).max(10).default(3),
  /** Delay before the first retry; doubled for each later one. */
  retryDelayMs: z.number().int().min(0).max(60_000).default(250),
  /** A deployed monitor not heard for longer than this raises an "offline" alert (issue 12: more than an hour). */
  monitorOfflineMinutes: z.number().int().min(5).max(10_080).default(60),
  /** Alerts in flight at most; beyond it new ones are logged and counted as dropped. */
  maxPending: z.number().int().min(1).max(100_000).default(1_000),
});
export type AlertConfig = z.input<typeof AlertConfig>;
export type ResolvedAlertConfig = z.output<typeof AlertConfig>;
