/**
 * Purge steps. Case evidence goes only for cases that are closed and were closed
 * at or before the evidence cutoff: the status test in every query is what
 * guarantees that an open (or inactive) case's evidence is never purged.
 * Written in the SQL both stores share (storage/record/steps.ts).
 */
import { type Steps, all, get, run } from '../storage/record/steps.ts';
import type { PurgeStep, PurgeStepContext } from './purge.ts';

/** Closed cases whose retention has run out, oldest first. */
export function* expiredCases(closedBy: string): Steps<string[]> {
  const rows = yield* all<{ ref: string }>("SELECT ref FROM cases WHERE status = 'closed' AND closed_at IS NOT NULL AND closed_at <= ? ORDER BY closed_at, ref", closedBy);
  return rows.map((r) => r.ref);
}

/**
 * Whether a device's record at `time` (an SQL expression in epoch ms) lies inside a deployment of a case
 * whose evidence is still kept (any case not closed-and-expired); the one parameter is the cases' cutoff.
 */
export function keptAt(device: string, time: string): string {
  return `EXISTS (
    SELECT 1 FROM deployments d JOIN cases c ON c.ref = d.case_ref
    WHERE d.device_id = ${device} AND d.installed_ms <= ${time} AND (d.removed_ms IS NULL OR d.removed_ms > ${time})
      AND NOT (c.status = 'closed' AND c.closed_at <= ?))`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
function ident(name: string): string {
  if (!IDENT.test(name)) throw new RangeError(`not an SQL identifier: ${name}`);
  return `"${name}"`;
}

const CONTENT = [
  { table: 'diary_entries', key: 'id', leaf: 'leaf_index', sha: 'content_sha256', column: 'content', caseColumn: 'case_ref' },
  { table: 'annotations', key: 'id', leaf: 'leaf_index', sha: 'content_sha256', column: 'content', caseColumn: 'case_ref' },
  { table: 'cases', key: 'ref', leaf: 'leaf_index', sha: 'details_sha256', column: 'details', caseColumn: 'ref' },
] as const;

/**
 * Removes the confidential content of expired cases: address and complainant,
 * diary text, annotation text. Rows and leaves stay; each removed item is listed
 * in the audit with its leaf index and the SHA-256 the leaf committed to.
 */
export const purgeCaseContent: PurgeStep = {
  name: 'case-content',
  async run(ctx) {
    const nowIso = new Date(ctx.nowMs).toISOString();
    for (const ref of await ctx.read(expiredCases(ctx.cutoffs.casesClosedBy))) {
      await ctx.commit(function* () {
        const removed: unknown[] = [];
        for (const t of CONTENT) {
          const rows = yield* all<{ key: string | number; leaf: number; sha: string }>(
            `SELECT ${t.key} AS key, ${t.leaf} AS leaf, ${t.sha} AS sha FROM ${t.table} WHERE ${t.caseColumn} = ? AND ${t.column} IS NOT NULL ORDER BY ${t.key}`,
            ref,
          );
          for (const r of rows) removed.push({ caseRef: ref, table: t.table, id: r.key, leafIndex: r.leaf, sha256: r.sha });
          yield* run(`UPDATE ${t.table} SET ${t.column} = NULL, purged_at = ? WHERE ${t.caseColumn} = ? AND ${t.column} IS NOT NULL`, nowIso, ref);
        }
        return { rows: removed.length, removed };
      });
    }
  },
};

/** Deletes the rows of expired cases from another area's table (e.g. attached events). */
export function deleteCaseRows(spec: { readonly name: string; readonly table: string; readonly caseColumn: string }): PurgeStep {
  const sql = `DELETE FROM ${ident(spec.table)} WHERE ${ident(spec.caseColumn)} = ?`;
  return {
    name: spec.name,
    async run(ctx) {
      for (const ref of await ctx.read(expiredCases(ctx.cutoffs.casesClosedBy))) {
        await ctx.commit(function* () {
          return { rows: yield* run(sql, ref) };
        });
      }
    },
  };
}

export interface TimeSeriesSpec {
  readonly name: string;
  readonly table: string;
  /** Epoch milliseconds. */
  readonly timeColumn: string;
  readonly deviceColumn: string;
  /** Rows are deleted one slice of time per transaction, so ingest is never held up long. Default 1 h. */
  readonly sliceMs?: number;
}

/**
 * Deletes time-series rows (1 s levels) older than the levels cutoff, except rows
 * inside a deployment of a case whose evidence is still kept (any case not
 * closed-and-expired).
 */
export function purgeOldTimeSeries(spec: TimeSeriesSpec): PurgeStep {
  const t = ident(spec.table);
  const time = `${t}.${ident(spec.timeColumn)}`;
  const device = `${t}.${ident(spec.deviceColumn)}`;
  const sliceMs = spec.sliceMs ?? 3_600_000;
  const del = `DELETE FROM ${t} WHERE ${time} >= ? AND ${time} < ? AND NOT ${keptAt(device, time)}`;
  // The next row at or after a time: slices jump over empty stretches.
  const next = `SELECT min(${time}) AS t FROM ${t} WHERE ${time} >= ?`;
  return {
    name: spec.name,
    async run(ctx) {
      await purgeBySlice(ctx, next, sliceMs, (from, end) => function* () {
        return { rows: yield* run(del, from, end, ctx.cutoffs.casesClosedBy) };
      });
    },
  };
}

/**
 * Walks a time series from its first row to the levels cutoff, one slice per transaction: `next` (one
 * parameter, a time) finds the first row at or after a time; `slice(from, end)` purges [from, end).
 */
export async function purgeBySlice(ctx: PurgeStepContext, next: string, sliceMs: number, slice: (from: number, end: number) => () => Steps<{ rows: number }>): Promise<void> {
  const cutoff = ctx.cutoffs.levelsBeforeMs;
  // ECMA-262 §21.4.1.1: the earliest representable instant.
  let startMs = -8.64e15;
  for (;;) {
    const first = (await ctx.read(get<{ t: number | null }>(next, startMs)))?.t ?? null;
    if (first === null || first >= cutoff) return;
    const end = Math.min(first + sliceMs, cutoff);
    await ctx.commit(slice(first, end));
    startMs = end;
  }
}
