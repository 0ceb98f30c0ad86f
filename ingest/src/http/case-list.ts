/**
 * Cases as the officer's list shows them (issue 5): status, category, days since
 * the last evidence and the response target.
 */
import type { CaseSummary } from '../cases/case-row.ts';
import type { Db } from '../db/open.ts';

const DAY_MS = 86_400_000;

export interface CaseListFacts {
  readonly lastEvidenceAt: string | null;
  readonly daysSinceLastEvidence: number | null;
  readonly responseOverdue: boolean;
}

/** Latest event, clip, incident mark or diary entry of each case. */
export function createCaseFacts(db: Db): (c: CaseSummary, now: number) => CaseListFacts {
  const last = db.prepare<{ ref: string }, { t: number | null }>(
    `SELECT max(t) AS t FROM (
       SELECT max(device_time) AS t FROM events WHERE case_ref = :ref
       UNION ALL SELECT max(device_time) FROM clips WHERE case_ref = :ref
       UNION ALL SELECT max(started_ms) FROM diary_entries WHERE case_ref = :ref)`,
  );
  return (c, now) => {
    const t = last.get({ ref: c.ref })?.t ?? null;
    return {
      lastEvidenceAt: t === null ? null : new Date(t).toISOString(),
      daysSinceLastEvidence: t === null ? null : Math.max(0, Math.floor((now - t) / DAY_MS)),
      // A target only binds while the case is open (issue 4: first contact within the target).
      responseOverdue: c.status === 'open' && Date.parse(c.responseDueAt) < now,
    };
  };
}
