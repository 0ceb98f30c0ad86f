/**
 * Case operations: open, re-categorise, change status (close, reopen, inactive).
 * Each change is a row here and a leaf in the evidence log, in one transaction.
 */
import { EarshotError } from '@earshot/shared';
import { CategoriseInput, type CaseStatus, OpenCaseInput, ReassignInput, StatusChangeInput } from './case-input.ts';
import { type CaseRow, type CaseSummary, requireCase, findCase, toSummary } from './case-row.ts';
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

function insertHistory(ctx: CasesContext, ref: string, h: HistoryEntry, data: unknown, leafIndex: number): void {
  ctx.db
    .prepare('INSERT INTO case_history (case_ref, at, action, by_officer, reason, detail, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(ref, h.at, h.action, h.by, h.reason, JSON.stringify(data), leafIndex);
}

/** Appends the change's leaf and records it in the case history. */
function recordChange(ctx: CasesContext, ref: string, h: HistoryEntry, data: Readonly<Record<string, unknown>>): void {
  const { leafIndex } = ctx.evidence.append({ kind: 'case', caseRef: ref, data });
  insertHistory(ctx, ref, h, data, leafIndex);
}

export function openCase(ctx: CasesContext, input: OpenCaseInput): CaseSummary {
  parseInput(CaseRef, (input as { ref?: unknown }).ref, 'EARSHOT_E_CASE_REF_INVALID');
  const c = parseInput(OpenCaseInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const nowMs = ctx.now();
  const openedAt = new Date(nowMs).toISOString();
  const target = responseTarget(c.category, nowMs);
  const details = commitContent({ address: c.address, complainant: c.complainant ?? null });
  return ctx.db.transaction((): CaseSummary => {
    if (findCase(ctx.db, c.ref) !== undefined) throw new EarshotError('EARSHOT_E_CASE_EXISTS', c.ref);
    // The address and complainant stay out of the leaf: only their commitment (content.ts).
    const data = { action: 'opened', category: c.category, officer: c.officer, openedAt, responseDueAt: target.dueAt, detailsSha256: details.sha256 };
    const { leafIndex } = ctx.evidence.append({ kind: 'case', caseRef: c.ref, data });
    ctx.db
      .prepare(
        `INSERT INTO cases (ref, category, status, officer, opened_at, status_at, response_due_at, response_due_date, details, details_sha256, leaf_index)
         VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.ref, c.category, c.officer, openedAt, openedAt, target.dueAt, target.dueDate, details.json, details.sha256, leafIndex);
    insertHistory(ctx, c.ref, { at: openedAt, action: 'opened', by: c.officer, reason: null }, data, leafIndex);
    return toSummary(requireCase(ctx.db, c.ref));
  }).immediate();
}

/** Re-categorise: the response target is recomputed from the opening time; the reason is recorded. */
export function categoriseCase(ctx: CasesContext, input: CategoriseInput): CaseSummary {
  const c = parseInput(CategoriseInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const at = new Date(ctx.now()).toISOString();
  return ctx.db.transaction((): CaseSummary => {
    const row = requireCase(ctx.db, c.ref);
    if (row.status === 'closed') throw new EarshotError('EARSHOT_E_CASE_STATUS', `${c.ref} is closed`);
    if (row.category === c.category) throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `${c.ref} is already ${c.category}`);
    const target = responseTarget(c.category, Date.parse(row.opened_at));
    const data = { action: 'categorised', from: row.category, to: c.category, reason: c.reason, by: c.by, at, responseDueAt: target.dueAt };
    recordChange(ctx, c.ref, { at, action: 'categorised', by: c.by, reason: c.reason }, data);
    ctx.db
      .prepare('UPDATE cases SET category = ?, response_due_at = ?, response_due_date = ? WHERE ref = ?')
      .run(c.category, target.dueAt, target.dueDate, c.ref);
    return toSummary(requireCase(ctx.db, c.ref));
  }).immediate();
}

function activeDeployments(ctx: CasesContext, ref: string): number {
  return ctx.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM deployments WHERE case_ref = ? AND removed_ms IS NULL').get(ref)?.n ?? 0;
}

const ACTION_OF: Readonly<Record<CaseStatus, string>> = { open: 'reopened', inactive: 'made-inactive', closed: 'closed' };

export function changeCaseStatus(ctx: CasesContext, input: { ref: string; status: CaseStatus; reason: string; by: string }): CaseSummary {
  const c = parseInput(StatusChangeInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const at = new Date(ctx.now()).toISOString();
  return ctx.db.transaction((): CaseSummary => {
    const row: CaseRow = requireCase(ctx.db, c.ref);
    if (!TRANSITIONS[row.status].includes(c.status)) throw new EarshotError('EARSHOT_E_CASE_STATUS', `${c.ref} is ${row.status}, cannot become ${c.status}`);
    if (c.status !== 'open' && activeDeployments(ctx, c.ref) > 0) throw new EarshotError('EARSHOT_E_CASE_DEVICE_DEPLOYED', `${c.ref}: end the deployment first`);
    const action = ACTION_OF[c.status];
    const data = { action, from: row.status, to: c.status, reason: c.reason, by: c.by, at };
    recordChange(ctx, c.ref, { at, action, by: c.by, reason: c.reason }, data);
    ctx.db
      .prepare('UPDATE cases SET status = ?, status_at = ?, closed_at = ? WHERE ref = ?')
      .run(c.status, at, c.status === 'closed' ? at : null, c.ref);
    return toSummary(requireCase(ctx.db, c.ref));
  }).immediate();
}

export function closeCase(ctx: CasesContext, ref: string, reason: string, by: string): CaseSummary {
  return changeCaseStatus(ctx, { ref, status: 'closed', reason, by });
}

export function reopenCase(ctx: CasesContext, ref: string, reason: string, by: string): CaseSummary {
  return changeCaseStatus(ctx, { ref, status: 'open', reason, by });
}

/** Reassign to another account; the reason is recorded (issue 12). The case keeps its status and targets. */
export function reassignCase(ctx: CasesContext, input: ReassignInput): CaseSummary {
  const c = parseInput(ReassignInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const at = new Date(ctx.now()).toISOString();
  return ctx.db.transaction((): CaseSummary => {
    const row = requireCase(ctx.db, c.ref);
    if (row.status === 'closed') throw new EarshotError('EARSHOT_E_CASE_STATUS', `${c.ref} is closed: reopen it to reassign it`);
    if (row.officer === c.officer) throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `officer: ${c.ref} is already assigned to ${c.officer}`);
    const data = { action: 'reassigned', from: row.officer, to: c.officer, reason: c.reason, by: c.by, at };
    recordChange(ctx, c.ref, { at, action: 'reassigned', by: c.by, reason: c.reason }, data);
    ctx.db.prepare('UPDATE cases SET officer = ? WHERE ref = ?').run(c.officer, c.ref);
    return toSummary(requireCase(ctx.db, c.ref));
  }).immediate();
}
