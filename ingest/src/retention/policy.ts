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
});
export type RetentionPolicy = z.input<typeof RetentionPolicy>;

export interface Cutoffs {
  /** Level records before this instant (ms) may go. */
  readonly levelsBeforeMs: number;
  /** Cases closed at or before this instant (ISO UTC) have expired evidence. */
  readonly casesClosedBy: string;
}

const DAY_MS = 86_400_000;

export function cutoffs(policy: z.output<typeof RetentionPolicy>, nowMs: number): Cutoffs {
  const closedBy = new Date(nowMs);
  // Calendar years (29 February closes on 1 March seven years later).
  closedBy.setUTCFullYear(closedBy.getUTCFullYear() - policy.evidenceYearsAfterClose);
  return { levelsBeforeMs: nowMs - policy.levelsDays * DAY_MS, casesClosedBy: closedBy.toISOString() };
}
