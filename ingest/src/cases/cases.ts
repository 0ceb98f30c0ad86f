/**
 * Case operations: open, re-categorise, change status (close, reopen, inactive), reassign.
 * Each change is a row here and a leaf in the evidence log, in one transaction. Each is written once as
 * steps (storage/record/steps.ts) that either store carries out: `openCaseSteps` and the rest for the record
 * port, `openCase` and the rest to run them on the embedded store at once.
 */
import { EarshotError } from '@earshot/shared';
import { writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, append, get, run } from '../storage/record/steps.ts';
import { CategoriseInput, type CaseStatus, OpenCaseInput, ReassignInput, StatusChangeInput } from './case-input.ts';
import { type CaseRow, type CaseSummary, findCaseStep, requireCaseStep, toSummary } from './case-row.ts';
import { commitContent } from './content.ts';
import type { CasesContext } from './evidence-port.ts';
import { CaseRef } from './reference.ts';
import { responseTarget } from './response-target.ts';
import { parseInput } from './validate.ts';

/** Allowed status changes; a closed case must be reopened before anything else. */
const TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['inactive', 'closed'],
  inactive: ['open', 'closed'],
  closed: ['open'],
};

interface HistoryEntry {
  readonly at: string;
  readonly action: string;
  readonly by: string;
  readonly reason: string | null;
}

function* insertHistory(ref: string, h: HistoryEntry, data: unknown, leafIndex: number): Steps<void> {
  yield* run('INSERT INTO case_history (case_ref, at, action, by_officer, reason, detail, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ref, h.at, h.action, h.by, h.reason, JSON.stringify(data), leafIndex);
}

/** Appends the change's leaf and records it in the case history. */
function* recordChange(ref: string, h: HistoryEntry, data: Readonly<Record<string, unknown>>): Steps<void> {
  const { leafIndex } = yield* append({ kind: 'case', caseRef: ref, data });
  yield* insertHistory(ref, h, data, leafIndex);
}

function* summary(ref: string): Steps<CaseSummary> {
  return toSummary(yield* requireCaseStep(ref));
}

/** The next free case reference for a prefix and year: ASB-2026-0001, ASB-2026-0002, … */
export function* nextCaseRefSteps(prefix: string, year: number): Steps<string> {
  if (!/^[A-Z]{2,8}$/.test(prefix) || !Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new EarshotError('EARSHOT_E_CASE_REF_INVALID', `${prefix}-${year}-…: a prefix of 2–8 capitals and a four-digit year`);
  }
  const stem = `${prefix}-${year}-`;
  const refs = yield* all<{ ref: string }>("SELECT ref FROM cases WHERE ref LIKE CAST(? AS TEXT) || '%'", stem);
  let max = 0;
  for (const { ref } of refs) max = Math.max(max, Number(ref.slice(stem.length)) || 0);
  return `${stem}${String(max + 1).padStart(4, '0')}`;
}

/** Opens a case; without a reference, the next free one of the year (in the same transaction, so two officers never get one). */
export function* openCaseSteps(input: Omit<OpenCaseInput, 'ref'> & { readonly ref?: string | undefined }, nowMs: number): Steps<CaseSummary> {
  const ref = input.ref ?? (yield* nextCaseRefSteps('ASB', new Date(nowMs).getUTCFullYear()));
  parseInput(CaseRef, ref, 'EARSHOT_E_CASE_REF_INVALID');
  const c = parseInput(OpenCaseInput, { ...input, ref }, 'EARSHOT_E_CASE_INPUT_INVALID');
  const openedAt = new Date(nowMs).toISOString();
  const target = responseTarget(c.category, nowMs);
  const details = commitContent({ address: c.address, complainant: c.complainant ?? null });
  if ((yield* findCaseStep(c.ref)) !== undefined) throw new EarshotError('EARSHOT_E_CASE_EXISTS', c.ref);
  // The address and complainant stay out of the leaf: only their commitment (content.ts).
  const data = { action: 'opened', category: c.category, officer: c.officer, openedAt, responseDueAt: target.dueAt, detailsSha256: details.sha256 };
  const { leafIndex } = yield* append({ kind: 'case', caseRef: c.ref, data });
  yield* run(
    `INSERT INTO cases (ref, category, status, officer, opened_at, status_at, response_due_at, response_due_date, details, details_sha256, leaf_index)
     VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)`,
    c.ref, c.category, c.officer, openedAt, openedAt, target.dueAt, target.dueDate, details.json, details.sha256, leafIndex,
  );
  yield* insertHistory(c.ref, { at: openedAt, action: 'opened', by: c.officer, reason: null }, data, leafIndex);
  return yield* summary(c.ref);
}

/** Re-categorise: the response target is recomputed from the opening time; the reason is recorded. */
export function* categoriseCaseSteps(input: CategoriseInput, nowMs: number): Steps<CaseSummary> {
  const c = parseInput(CategoriseInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const at = new Date(nowMs).toISOString();
  const row = yield* requireCaseStep(c.ref);
  if (row.status === 'closed') throw new EarshotError('EARSHOT_E_CASE_STATUS', `${c.ref} is closed`);
  if (row.category === c.category) throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `${c.ref} is already ${c.category}`);
  const target = responseTarget(c.category, Date.parse(row.opened_at));
  const data = { action: 'categorised', from: row.category, to: c.category, reason: c.reason, by: c.by, at, responseDueAt: target.dueAt };
  yield* recordChange(c.ref, { at, action: 'categorised', by: c.by, reason: c.reason }, data);
  yield* run('UPDATE cases SET category = ?, response_due_at = ?, response_due_date = ? WHERE ref = ?', c.category, target.dueAt, target.dueDate, c.ref);
  return yield* summary(c.ref);
}

const ACTION_OF: Readonly<Record<CaseStatus, string>> = { open: 'reopened', inactive: 'made-inactive', closed: 'closed' };

export function* changeCaseStatusSteps(input: { ref: string; status: CaseStatus; reason: string; by: string }, nowMs: number): Steps<CaseSummary> {
  const c = parseInput(StatusChangeInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const at = new Date(nowMs).toISOString();
  const row: CaseRow = yield* requireCaseStep(c.ref);
  if (!TRANSITIONS[row.status].includes(c.status)) throw new EarshotError('EARSHOT_E_CASE_STATUS', `${c.ref} is ${row.status}, cannot become ${c.status}`);
  if (c.status !== 'open') {
    const active = (yield* get<{ n: number }>('SELECT count(*) AS n FROM deployments WHERE case_ref = ? AND removed_ms IS NULL', c.ref))?.n ?? 0;
    if (active > 0) throw new EarshotError('EARSHOT_E_CASE_DEVICE_DEPLOYED', `${c.ref}: end the deployment first`);
  }
  const action = ACTION_OF[c.status];
  const data = { action, from: row.status, to: c.status, reason: c.reason, by: c.by, at };
  yield* recordChange(c.ref, { at, action, by: c.by, reason: c.reason }, data);
  yield* run('UPDATE cases SET status = ?, status_at = ?, closed_at = ? WHERE ref = ?', c.status, at, c.status === 'closed' ? at : null, c.ref);
  return yield* summary(c.ref);
}

/** Reassign to another account; the reason is recorded (issue 12). The case keeps its status and targets. */
export function* reassignCaseSteps(input: ReassignInput, nowMs: number): Steps<CaseSummary> {
  const c = parseInput(ReassignInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const at = new Date(nowMs).toISOString();
  const row = yield* requireCaseStep(c.ref);
  if (row.status === 'closed') throw new EarshotError('EARSHOT_E_CASE_STATUS', `${c.ref} is closed: reopen it to reassign it`);
  if (row.officer === c.officer) throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `officer: ${c.ref} is already assigned to ${c.officer}`);
  const data = { action: 'reassigned', from: row.officer, to: c.officer, reason: c.reason, by: c.by, at };
  yield* recordChange(c.ref, { at, action: 'reassigned', by: c.by, reason: c.reason }, data);
  yield* run('UPDATE cases SET officer = ? WHERE ref = ?', c.officer, c.ref);
  return yield* summary(c.ref);
}

// The same operations on the embedded store, at once (the web view and the tests call these).

export function openCase(ctx: CasesContext, input: OpenCaseInput): CaseSummary {
  parseInput(CaseRef, (input as { ref?: unknown }).ref, 'EARSHOT_E_CASE_REF_INVALID');
  return writeNow(ctx, openCaseSteps(input, ctx.now()));
}

export function categoriseCase(ctx: CasesContext, input: CategoriseInput): CaseSummary {
  return writeNow(ctx, categoriseCaseSteps(input, ctx.now()));
}

export function changeCaseStatus(ctx: CasesContext, input: { ref: string; status: CaseStatus; reason: string; by: string }): CaseSummary {
  return writeNow(ctx, changeCaseStatusSteps(input, ctx.now()));
}

export function closeCase(ctx: CasesContext, ref: string, reason: string, by: string): CaseSummary {
  return changeCaseStatus(ctx, { ref, status: 'closed', reason, by });
}

export function reopenCase(ctx: CasesContext, ref: string, reason: string, by: string): CaseSummary {
  return changeCaseStatus(ctx, { ref, status: 'open', reason, by });
}

export function reassignCase(ctx: CasesContext, input: ReassignInput): CaseSummary {
  return writeNow(ctx, reassignCaseSteps(input, ctx.now()));
}
