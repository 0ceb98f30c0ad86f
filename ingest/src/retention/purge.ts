/**
 * The purge job: a named list of small steps, each recorded in `retention_audit`
 * (one row per step per run: the cutoffs and the count) and `retention_audit_items`
 * (one row per removed item). A step does its work in one or more transactions
 * through `commit`, which records the count and items in that same transaction,
 * so the audit is exact even if the job is killed part-way.
 *
 * The evidence log is never touched: its leaves stay, and the leaves of purged
 * content carry the content's SHA-256 (cases/content.ts), so the tree still
 * verifies and the audit row names each removed item by leaf index and hash.
 */
import type { Database } from 'better-sqlite3';
import { parseInput } from '../cases/validate.ts';
import { type Cutoffs, RetentionPolicy, cutoffs } from './policy.ts';

export interface Commit {
  readonly rows: number;
  /** What was removed, for the audit (e.g. { caseRef, table, id, leafIndex, sha256 }). */
  readonly removed?: readonly unknown[];
}

export interface PurgeStepContext {
  readonly db: Database;
  readonly nowMs: number;
  readonly cutoffs: Cutoffs;
  /** Runs `fn` in a transaction that also updates this step's audit row. */
  commit(fn: () => Commit): number;
}

export interface PurgeStep {
  readonly name: string;
  run(ctx: PurgeStepContext): void;
}

export interface PurgeReport {
  readonly runAt: string;
  readonly cutoffs: Cutoffs;
  readonly steps: readonly { readonly name: string; readonly rows: number; readonly auditId: number }[];
}

export function runPurge(db: Database, steps: readonly PurgeStep[], options: { readonly nowMs: number; readonly policy?: RetentionPolicy }): PurgeReport {
  const policy = parseInput(RetentionPolicy, options.policy ?? {}, 'EARSHOT_E_CONFIG_INVALID');
  const runAt = new Date(options.nowMs).toISOString();
  const cut = cutoffs(policy, options.nowMs);
  const insertAudit = db.prepare<[string, string, string]>('INSERT INTO retention_audit (run_at, step, rows, detail) VALUES (?, ?, 0, ?)');
  const addRows = db.prepare<[number, number]>('UPDATE retention_audit SET rows = rows + ? WHERE id = ?');
  const insertItem = db.prepare<[number, string]>('INSERT INTO retention_audit_items (audit_id, item) VALUES (?, ?)');
  const report: { name: string; rows: number; auditId: number }[] = [];
  for (const step of steps) {
    const auditId = Number(insertAudit.run(runAt, step.name, JSON.stringify({ cutoffs: cut })).lastInsertRowid);
    let total = 0;
    step.run({
      db,
      nowMs: options.nowMs,
      cutoffs: cut,
      commit: (fn) =>
        db.transaction((): number => {
          const c = fn();
          if (c.rows !== 0) addRows.run(c.rows, auditId);
          for (const item of c.removed ?? []) insertItem.run(auditId, JSON.stringify(item));
          total += c.rows;
          return c.rows;
        }).immediate(),
    });
    report.push({ name: step.name, rows: total, auditId });
  }
  return { runAt, cutoffs: cut, steps: report };
}
