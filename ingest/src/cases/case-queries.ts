/**
 * Listing and showing cases. Lists never carry the complainant; `showCase` gives
 * the complainant only when asked for explicitly (`includeComplainant`), so a
 * screen or export that forgets to ask shows nothing confidential.
 */
import type { Database } from 'better-sqlite3';
import { readNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all } from '../storage/record/steps.ts';
import { type Complainant, ListCasesFilter } from './case-input.ts';
import { type CaseRow, type CaseSummary, caseDetails, toSummary, requireCaseStep } from './case-row.ts';
import { parseInput } from './validate.ts';

export function* listCasesSteps(filter: ListCasesFilter = {}): Steps<CaseSummary[]> {
  const f = parseInput(ListCasesFilter, filter, 'EARSHOT_E_CASE_INPUT_INVALID');
  const status = f.status ?? null;
  const officer = f.officer ?? null;
  const rows = yield* all<CaseRow>(
    `SELECT * FROM cases
     WHERE (CAST(? AS TEXT) IS NULL OR status = ?) AND (CAST(? AS TEXT) IS NULL OR officer = ?)
     ORDER BY opened_at, ref`,
    status, status, officer, officer,
  );
  return rows.map(toSummary);
}

export function listCases(db: Database, filter: ListCasesFilter = {}): CaseSummary[] {
  return readNow(db, listCasesSteps(filter));
}

export interface CaseHistoryEntry {
  readonly at: string;
  readonly action: string;
  readonly by: string;
  readonly reason: string | null;
  readonly leafIndex: number;
}

export interface CaseDetail extends CaseSummary {
  readonly history: readonly CaseHistoryEntry[];
  /** Present only when asked for: null when none was recorded or it has been purged. */
  readonly complainant?: Complainant | null;
}

export function* showCaseSteps(ref: string, options: { readonly includeComplainant?: boolean } = {}): Steps<CaseDetail> {
  const row = yield* requireCaseStep(ref);
  const history = (yield* all<{ at: string; action: string; by_officer: string; reason: string | null; leaf_index: number }>(
    'SELECT at, action, by_officer, reason, leaf_index FROM case_history WHERE case_ref = ? ORDER BY id',
    ref,
  )).map((h) => ({ at: h.at, action: h.action, by: h.by_officer, reason: h.reason, leafIndex: h.leaf_index }));
  const detail: CaseDetail = { ...toSummary(row), history };
  if (options.includeComplainant === true) return { ...detail, complainant: caseDetails(row)?.complainant ?? null };
  return detail;
}

export function showCase(db: Database, ref: string, options: { readonly includeComplainant?: boolean } = {}): CaseDetail {
  return readNow(db, showCaseSteps(ref, options));
}
