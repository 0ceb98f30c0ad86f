/**
 * Reads of many rows as steps (storage/record/steps.ts), in bounded pages: a step hands back an array of
 * rows, so where better-sqlite3 used to iterate a cursor over a night or a month of 1 s records, the
 * read goes in pages instead, and no more than a page of rows is held at once, on either store.
 */
import { type SqlValue, type Steps, all } from '../storage/record/steps.ts';

/** Rows per page of a time-ordered read (about 1 MB of row objects). */
export const PAGE_ROWS = 10_000;

/**
 * The `LIMIT` of a query paged by `eachByTime`: its SQL must select `t` and end
 * `WHERE t >= ? AND t < ? AND device = ? ORDER BY t ${PAGE_LIMIT}`.
 */
export const PAGE_LIMIT = `LIMIT ${PAGE_ROWS}`;

/**
 * Every row of one device in [from, to), in time order, page by page (keyset on t, which is unique per
 * device: `levels` and `level_bands` are keyed by (t, device), t in whole ms).
 */
export function* eachByTime<R extends { readonly t: number }>(sql: string, device: string, from: number, to: number, each: (row: R) => void): Steps<void> {
  let next = from;
  while (next < to) {
    const rows = yield* all<R>(sql, next, to, device);
    for (const r of rows) each(r);
    if (rows.length < PAGE_ROWS) return;
    next = rows[rows.length - 1]!.t + 1;
  }
}

/**
 * A grouped read of [from, to) split at multiples of `chunkMs` from `origin` (a bucket grid's start and a
 * whole number of its buckets), so each bucket is read by one query and each query returns a bounded
 * number of groups. `params(a, b)` gives the query's parameters for the chunk [a, b).
 */
export function* eachInChunks<R>(sql: string, from: number, to: number, origin: number, chunkMs: number, params: (a: number, b: number) => SqlValue[], each: (row: R) => void): Steps<void> {
  for (let a = from; a < to;) {
    const b = Math.min(to, origin + (Math.floor((a - origin) / chunkMs) + 1) * chunkMs);
    for (const r of yield* all<R>(sql, ...params(a, b))) each(r);
    a = b;
  }
}
