/**
 * Cases as the officer's list shows them (issue 5): status, category, days since
 * the last evidence and the response target. Record-port steps (storage/record/steps.ts),
 * so either store answers them.
 */
import type { CaseSummary } from '../cases/case-row.ts';
import { evidenceAge, lastEvidenceSql } from '../dashboard/caseload.ts';
import { type Steps, get } from '../storage/record/steps.ts';

export interface CaseListFacts {
  readonly lastEvidenceAt: string | null;
  readonly daysSinceLastEvidence: number | null;
  readonly responseOverdue: boolean;
}

const LAST_EVIDENCE = `SELECT ${lastEvidenceSql('?')} AS t`;

/** Latest event, clip, incident mark or diary entry of the case, and whether its response target is overdue at nowMs. */
export function* caseFactsSteps(c: CaseSummary, nowMs: number): Steps<CaseListFacts> {
  const t = (yield* get<{ t: number | null }>(LAST_EVIDENCE, c.ref, c.ref, c.ref))?.t ?? null;
  return {
    ...evidenceAge(t, nowMs),
    // A target only binds while the case is open (issue 4: first contact within the target).
    responseOverdue: c.status === 'open' && Date.parse(c.responseDueAt) < nowMs,
  };
}
