/**
 * Cases as the officer's list shows them (issue 5): status, category, days since
 * the last evidence and the response target. Record-port steps (storage/record/steps.ts),
 * so either store answers them.
 */
import type { CaseSummary } from '../cases/case-row.ts';
import { evidenceAge, lastEvidenceSql } from '../dashboard/caseload.ts';
import { type Steps, all, get } from '../storage/record/steps.ts';

export interface CaseListFacts {
  readonly lastEvidenceAt: string | null;
  readonly daysSinceLastEvidence: number | null;
  readonly responseOverdue: boolean;
}

const LAST_EVIDENCE = `SELECT ${lastEvidenceSql('?')} AS t`;
/** Every case's, in one statement (the list: one round trip on PostgreSQL, not one per case). */
const LAST_EVIDENCE_ALL = `SELECT c.ref AS ref, ${lastEvidenceSql('c.ref')} AS t FROM cases c`;

function factsOf(c: CaseSummary, t: number | null, nowMs: number): CaseListFacts {
  return {
    ...evidenceAge(t, nowMs),
    // A target only binds while the case is open (issue 4: first contact within the target).
    responseOverdue: c.status === 'open' && Date.parse(c.responseDueAt) < nowMs,
  };
}

/** Latest event, clip, incident mark or diary entry of the case, and whether its response target is overdue at nowMs. */
export function* caseFactsSteps(c: CaseSummary, nowMs: number): Steps<CaseListFacts> {
  return factsOf(c, (yield* get<{ t: number | null }>(LAST_EVIDENCE, c.ref, c.ref, c.ref))?.t ?? null, nowMs);
}

/** caseFactsSteps for each of `cases`, read in one statement, in their order. */
export function* casesFactsSteps(cases: readonly CaseSummary[], nowMs: number): Steps<CaseListFacts[]> {
  const last = new Map((yield* all<{ ref: string; t: number | null }>(LAST_EVIDENCE_ALL)).map((r) => [r.ref, r.t]));
  return cases.map((c) => factsOf(c, last.get(c.ref) ?? null, nowMs));
}
