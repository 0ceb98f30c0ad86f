/** Reading case rows and turning them into what officers see. */
import { EarshotError } from '@earshot/shared';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { type Steps, get } from '../storage/record/steps.ts';
import { Complainant, type CaseStatus } from './case-input.ts';
import type { CaseCategory } from './response-target.ts';

export interface CaseRow {
  ref: string;
  category: CaseCategory;
  status: CaseStatus;
  officer: string;
  opened_at: string;
  status_at: string;
  closed_at: string | null;
  response_due_at: string;
  response_due_date: string;
  details: string | null;
  details_sha256: string;
  leaf_index: number;
  purged_at: string | null;
}

/** The committed confidential details of a case (content.ts). */
export const CaseDetails = z.object({
  salt: z.string(),
  address: z.string(),
  complainant: Complainant.nullable(),
});
export type CaseDetails = z.infer<typeof CaseDetails>;

/** A case as listed: never the complainant (kept confidential). */
export interface CaseSummary {
  readonly ref: string;
  readonly category: CaseCategory;
  readonly status: CaseStatus;
  readonly officer: string;
  /** null once the retention purge has removed it. */
  readonly address: string | null;
  readonly openedAt: string;
  readonly statusChangedAt: string;
  readonly closedAt: string | null;
  readonly responseDueAt: string;
  readonly responseDueDate: string;
  readonly leafIndex: number;
  readonly purgedAt: string | null;
}

export function caseDetails(row: CaseRow): CaseDetails | null {
  return row.details === null ? null : CaseDetails.parse(JSON.parse(row.details));
}

export function toSummary(row: CaseRow): CaseSummary {
  return {
    ref: row.ref,
    category: row.category,
    status: row.status,
    officer: row.officer,
    address: caseDetails(row)?.address ?? null,
    openedAt: row.opened_at,
    statusChangedAt: row.status_at,
    closedAt: row.closed_at,
    responseDueAt: row.response_due_at,
    responseDueDate: row.response_due_date,
    leafIndex: row.leaf_index,
    purgedAt: row.purged_at,
  };
}

export function* findCaseStep(ref: string): Steps<CaseRow | undefined> {
  return yield* get<CaseRow>('SELECT * FROM cases WHERE ref = ?', ref);
}

export function* requireCaseStep(ref: string): Steps<CaseRow> {
  const row = yield* findCaseStep(ref);
  if (row === undefined) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', ref);
  return row;
}

export function findCase(db: Database, ref: string): CaseRow | undefined {
  return db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE ref = ?').get(ref);
}

export function requireCase(db: Database, ref: string): CaseRow {
  const row = findCase(db, ref);
  if (row === undefined) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', ref);
  return row;
}

/** Evidence can be added to open and inactive cases, not to closed ones. */
export function requireNotClosed(row: CaseRow, what: string): void {
  if (row.status === 'closed') throw new EarshotError('EARSHOT_E_CASE_STATUS', `${row.ref} is closed: reopen it to ${what}`);
}
