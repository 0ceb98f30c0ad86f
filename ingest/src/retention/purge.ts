/**
 * The purge job: a named list of small steps, each recorded in `retention_audit`
 * (one row per step per run: the cutoffs and the count) and `retention_audit_items`
 * (one row per removed item). A step does its work in one or more transactions
 * through `commit`, which records the count and items in that same transaction,
 * so the audit is exact even if the job is killed part-way.
 *
 * Written once for both stores (issue 14): a step's reads and writes are steps
 * of the record port (storage/record/steps.ts) in the SQL both stores share, run
 * by the store's PurgeStore (purge-store.ts).
 *
 * The evidence log is never touched: its leaves stay, and the leaves of purged
 * content carry the content's SHA-256 (cases/content.ts), so the tree still
 * verifies and the audit row names each removed item by leaf index and hash.
 */
import { parseInput } from '../cases/validate.ts';
import { type Steps, get, run } from '../storage/record/steps.ts';
import { type Cutoffs, RetentionPolicy, cutoffs } from './policy.ts';
import type { PurgeStore } from './purge-store.ts';

export interface Commit {
  readonly rows: number;
  /** What was removed, for the audit (e.g. { caseRef, table, id, leafIndex, sha256 }). */
  readonly removed?: readonly unknown[];
  /** Files of the clips folder no row references any more (their content-addressed names): the store removes them. */
  readonly files?: readonly string[];
}

export interface PurgeStepContext {
  readonly nowMs: number;
  readonly cutoffs: Cutoffs;
  readonly store: PurgeStore['store'];
  /** Runs `fn`'s steps in one write transaction that also updates this step's audit row. */
  commit(fn: () => Steps<Commit>): Promise<number>;
  /** Runs steps that only read, in one snapshot. */
  read<T>(steps: Steps<T>): Promise<T>;
}

export interface PurgeStep {
  readonly name: string;
  run(ctx: PurgeStepContext): Promise<void>;
}

export interface PurgeReport {
  readonly runAt: string;
  readonly cutoffs: Cutoffs;
  readonly steps: readonly { readonly name: string; readonly rows: number; readonly auditId: number }[];
}

function* openAudit(runAt: string, step: string, cut: Cutoffs): Steps<number> {
  return (yield* get<{ id: number }>('INSERT INTO retention_audit (run_at, step, rows, detail) VALUES (?, ?, 0, ?) RETURNING id', runAt, step, JSON.stringify({ cutoffs: cut })))!.id;
}

function* audited(store: PurgeStore, auditId: number, c: Commit): Steps<void> {
  if (c.rows !== 0) yield* run('UPDATE retention_audit SET rows = rows + ? WHERE id = ?', c.rows, auditId);
  for (const item of c.removed ?? []) yield* run('INSERT INTO retention_audit_items (audit_id, item) VALUES (?, ?)', auditId, JSON.stringify(item));
  if (c.files !== undefined && c.files.length > 0) yield* store.dropFiles(c.files);
}

export async function runPurge(store: PurgeStore, steps: readonly PurgeStep[], options: { readonly nowMs: number; readonly policy?: RetentionPolicy }): Promise<PurgeReport> {
  const policy = parseInput(RetentionPolicy, options.policy ?? {}, 'EARSHOT_E_CONFIG_INVALID');
  const runAt = new Date(options.nowMs).toISOString();
  const cut = cutoffs(policy, options.nowMs);
  const report: { name: string; rows: number; auditId: number }[] = [];
  for (const step of steps) {
    const auditId = await store.record.write(openAudit(runAt, step.name, cut));
    let total = 0;
    await step.run({
      nowMs: options.nowMs,
      cutoffs: cut,
      store: store.store,
      read: (s) => store.record.read(s),
      async commit(fn) {
        const c = await store.record.write((function* () {
          yield* store.beginWrite();
          const out = yield* fn();
          yield* audited(store, auditId, out);
          return out;
        })());
        // After COMMIT: a file is never removed without its audit entry.
        if (c.files !== undefined && c.files.length > 0) store.filesDropped(c.files);
        total += c.rows;
        return c.rows;
      },
    });
    report.push({ name: step.name, rows: total, auditId });
  }
  return { runAt, cutoffs: cut, steps: report };
}
