/**
 * Listing and showing cases. Lists never carry the complainant; `showCase` gives
 * the complainant only when asked for explicitly (`includeComplainant`), so a
 * screen or export that forgets to ask shows nothing confidential.
 */
import type { Database } from 'better-sqlite3';
import { type Complainant, ListCasesFilter } from './case-input.ts';
import { type CaseRow, type CaseSummary, caseDetails, requireCase, toSummary } from './case-row.ts';
import { parseInput } from './validate.ts';

export function listCases(db: Database, filter: ListCasesFilter = {}): CaseSummary[] {
  const f = parseInput(ListCasesFilter, filter, 'EARSHOT_E_CASE_INPUT_INVALID');
  const rows = db
    .prepare<{ status: string | null; officer: string | null }, CaseRow>(
      `SELECT * FROM cases
       WHERE (:status IS NULL OR status = :status) AND (:officer IS NULL OR officer = :officer)
       ORDER BY opened_at, ref`,
    )
    .all({ status: f.status ?? null, officer: f.officer ?? null });
  return rows.map(toSummary);
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

export function showCase(db: Database, ref: string, options: { readonly includeComplainant?: boolean } = {}): CaseDetail {
  const row = requireCase(db, ref);
  const history = db
    .prepare<[string], { at: string; action: string; by_officer: string; reason: string | null; leaf_index: number }>(
      'SELECT at, action, by_officer, reason, leaf_index FROM case_history WHERE case_ref = ? ORDER BY id',
    )
    .all(ref)
    .map((h) => ({ at: h.at, action: h.action, by: h.by_officer, reason: h.reason, leafIndex: h.leaf_index }));
  const detail: CaseDetail = { ...toSummary(row), history };
  if (options.includeComplainant === true) return { ...detail, complainant: caseDetails(row)?.complainant ?? null };
  return detail;
}
