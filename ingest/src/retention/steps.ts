/**
 * Purge steps. Case evidence goes only for cases that are closed and were closed
 * at or before the evidence cutoff: the status test in every query is what
 * guarantees that an open (or inactive) case's evidence is never purged.
 */
import type { Database } from 'better-sqlite3';
import type { PurgeStep } from './purge.ts';

/** Closed cases whose retention has run out. */
const EXPIRED = "SELECT ref FROM cases WHERE status = 'closed' AND closed_at IS NOT NULL AND closed_at <= ?";

export function expiredCases(db: Database, closedBy: string): string[] {
  return db.prepare<[string], { ref: string }>(`${EXPIRED} ORDER BY closed_at, ref`).all(closedBy).map((r) => r.ref);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
function ident(name: string): string {
  if (!IDENT.test(name)) throw new RangeError(`not an SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Removes the confidential content of expired cases: address and complainant,
 * diary text, annotation text. Rows and leaves stay; each removed item is listed
 * in the audit with its leaf index and the SHA-256 the leaf committed to.
 */
export const purgeCaseContent: PurgeStep = {
  name: 'case-content',
  run(ctx) {
    const nowIso = new Date(ctx.nowMs).toISOString();
    const tables = [
      { table: 'diary_entries', key: 'id', leaf: 'leaf_index', sha: 'content_sha256', column: 'content', caseColumn: 'case_ref' },
      { table: 'annotations', key: 'id', leaf: 'leaf_index', sha: 'content_sha256', column: 'content', caseColumn: 'case_ref' },
      { table: 'cases', key: 'ref', leaf: 'leaf_index', sha: 'details_sha256', column: 'details', caseColumn: 'ref' },
    ] as const;
    for (const ref of expiredCases(ctx.db, ctx.cutoffs.casesClosedBy)) {
      ctx.commit(() => {
        const removed: unknown[] = [];
        for (const t of tables) {
          const rows = ctx.db
            .prepare<[string], { key: string | number; leaf: number; sha: string }>(
              `SELECT ${t.key} AS key, ${t.leaf} AS leaf, ${t.sha} AS sha FROM ${t.table} WHERE ${t.caseColumn} = ? AND ${t.column} IS NOT NULL`,
            )
            .all(ref);
          for (const r of rows) removed.push({ caseRef: ref, table: t.table, id: r.key, leafIndex: r.leaf, sha256: r.sha });
          ctx.db.prepare(`UPDATE ${t.table} SET ${t.column} = NULL, purged_at = ? WHERE ${t.caseColumn} = ? AND ${t.column} IS NOT NULL`).run(nowIso, ref);
        }
        return { rows: removed.length, removed };
      });
    }
  },
};

/** Deletes the rows of expired cases from another area's table (e.g. attached events). */
export function deleteCaseRows(spec: { readonly name: string; readonly table: string; readonly caseColumn: string }): PurgeStep {
  const table = ident(spec.table);
  const column = ident(spec.caseColumn);
  return {
    name: spec.name,
    run(ctx) {
      for (const ref of expiredCases(ctx.db, ctx.cutoffs.casesClosedBy)) {
        ctx.commit(() => ({ rows: ctx.db.prepare(`DELETE FROM ${table} WHERE ${column} = ?`).run(ref).changes }));
      }
    },
  };
}

export type TimeUnit = 'ms' | 's' | 'iso';

export interface TimeSeriesSpec {
  readonly name: string;
  readonly table: string;
  readonly timeColumn: string;
  readonly deviceColumn: string;
  readonly timeUnit: TimeUnit;
  /** Rows are deleted one slice of time per transaction, so ingest is never held up long. Default 1 h. */
  readonly sliceMs?: number;
}

/**
 * Deletes time-series rows (1 s levels) older than the levels cutoff, except rows
 * inside a deployment of a case whose evidence is still kept (any case not
 * closed-and-expired). Works on rowid and WITHOUT ROWID tables alike.
 */
export function purgeOldTimeSeries(spec: TimeSeriesSpec): PurgeStep {
  const t = ident(spec.table);
  const time = `${t}.${ident(spec.timeColumn)}`;
  const device = `${t}.${ident(spec.deviceColumn)}`;
  const asMs = spec.timeUnit === 'ms' ? time : spec.timeUnit === 's' ? `(${time} * 1000)` : `CAST(unixepoch(${time}, 'subsec') * 1000 AS INTEGER)`;
  const native = (ms: number): number | string => (spec.timeUnit === 'ms' ? ms : spec.timeUnit === 's' ? ms / 1000 : new Date(ms).toISOString());
  const toMs = (v: number | string): number => (typeof v === 'string' ? Date.parse(v) : spec.timeUnit === 's' ? v * 1000 : v);
  const sliceMs = spec.sliceMs ?? 3_600_000;
  return {
    name: spec.name,
    run(ctx) {
      const cutoff = ctx.cutoffs.levelsBeforeMs;
      const del = ctx.db.prepare<{ start: number | string; end: number | string; closedBy: string }>(
        `DELETE FROM ${t} WHERE ${time} >= :start AND ${time} < :end AND NOT EXISTS (
           SELECT 1 FROM deployments d JOIN cases c ON c.ref = d.case_ref
           WHERE d.device_id = ${device} AND d.installed_ms <= ${asMs} AND (d.removed_ms IS NULL OR d.removed_ms > ${asMs})
             AND NOT (c.status = 'closed' AND c.closed_at <= :closedBy))`,
      );
      // The next row at or after a time: slices jump over empty stretches.
      const next = ctx.db.prepare<[number | string], { t: number | string | null }>(`SELECT min(${time}) AS t FROM ${t} WHERE ${time} >= ?`);
      // ECMA-262 §21.4.1.1: the earliest representable instant.
      let startMs = -8.64e15;
      for (;;) {
        const first = next.get(native(startMs))?.t ?? null;
        if (first === null) return;
        const from = toMs(first);
        if (!Number.isFinite(from)) throw new RangeError(`${spec.table}.${spec.timeColumn}: unreadable time ${String(first)}`);
        if (from >= cutoff) return;
        const end = Math.min(from + sliceMs, cutoff);
        ctx.commit(() => ({ rows: del.run({ start: native(from), end: native(end), closedBy: ctx.cutoffs.casesClosedBy }).changes }));
        startMs = end;
      }
    },
  };
}
