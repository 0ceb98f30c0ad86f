/**
 * How long things are kept (zod-validated configuration).
 * - 1 s levels: 400 days by default (a year of history plus a margin for a case
 *   opened late in a dispute); levels inside a deployment of a case whose
 *   evidence is still kept are not purged with them.
 * - Case evidence: 7 years after the case closes. Landlord retention policy
 *   (issue 4 brief): "ASB records are kept for the life of the tenancy or 7 years".
 *   A case that is open or inactive is never purged.
 */
import { z } from 'zod';

export const RetentionPolicy = z.object({
  levelsDays: z.number().int().min(1).max(36_500).default(400),
  evidenceYearsAfterClose: z.number().int().min(1).max(100).default(7),
  /**
   * Issue 11 item 5: a quarantined payload is kept 30 days (time enough to look
   * into a refusal), then dropped; its row keeps the reason, size and SHA-256.
   */
  quarantinePayloadDays: z.number().int().min(1).max(36_500).default(30),
  /** Quarantine rows (and the overflow counts) go with the 1 s levels' default, 400 days. */
  quarantineDays: z.number().int().min(1).max(36_500).default(400),
  /**
   * Chunks with no manifest after 48 h are abandoned: a monitor sends a clip's
   * manifest with its chunks and keeps the clip until the manifest is receipted
   * (DESIGN §4), so it sends again whatever is purged; without a manifest a
   * chunk cannot be checked or used.
   */
  orphanChunkHours: z.number().int().min(1).max(87_600).default(48),
  /**
   * Exported bundle ZIPs in the data folder: a download link lives an hour and a
   * job only until the service restarts, so a week is ample; they are copies of
   * the evidence (complainant included), not the evidence.
   */
  bundleDays: z.number().int().min(1).max(36_500).default(7),
});
export type RetentionPolicy = z.input<typeof RetentionPolicy>;

export interface Cutoffs {
  /** Level records before this instant (ms) may go. */
  readonly levelsBeforeMs: number;
  /** Cases closed at or before this instant (ISO UTC) have expired evidence. */
  readonly casesClosedBy: string;
  /** Quarantined payloads received before this instant (ms) are dropped, their rows kept. */
  readonly quarantinePayloadsBeforeMs: number;
  /** Quarantine rows received before this instant (ms) are deleted. */
  readonly quarantineRowsBeforeMs: number;
  /** Chunks with no manifest received before this instant (ms) are deleted. */
  readonly orphanChunksBeforeMs: number;
  /** Exported bundles last written before this instant (ms) are deleted. */
  readonly bundlesBeforeMs: number;
}

const DAY_MS = 86_400_000;

export function cutoffs(policy: z.output<typeof RetentionPolicy>, nowMs: number): Cutoffs {
  const closedBy = new Date(nowMs);
  // Calendar years (29 February closes on 1 March seven years later).
  closedBy.setUTCFullYear(closedBy.getUTCFullYear() - policy.evidenceYearsAfterClose);
  return {
    levelsBeforeMs: nowMs - policy.levelsDays * DAY_MS,
    casesClosedBy: closedBy.toISOString(),
    quarantinePayloadsBeforeMs: nowMs - policy.quarantinePayloadDays * DAY_MS,
    quarantineRowsBeforeMs: nowMs - policy.quarantineDays * DAY_MS,
    orphanChunksBeforeMs: nowMs - policy.orphanChunkHours * 3_600_000,
    bundlesBeforeMs: nowMs - policy.bundleDays * DAY_MS,
  };
}
