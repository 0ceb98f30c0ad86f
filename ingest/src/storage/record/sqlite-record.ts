/**
 * The SQLite adapter of the record port (steps.ts): drives an operation synchronously inside one
 * better-sqlite3 transaction — BEGIN IMMEDIATE for a write, as every writer of the embedded record takes —
 * so nothing else runs between its statements, and its rows and leaves commit together or not at all.
 */
import { EarshotError } from '@earshot/shared';
import type { Database, Statement } from 'better-sqlite3';
import type { EvidenceAppender } from '../../cases/evidence-port.ts';
import type { RecordStore, Steps } from './steps.ts';

const statements = new WeakMap<Database, Map<string, Statement>>();

function statement(db: Database, sql: string): Statement {
  let cache = statements.get(db);
  if (cache === undefined) statements.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (s === undefined) cache.set(sql, (s = db.prepare(sql)));
  return s;
}

/** A write's database and, for an operation that appends, the evidence log sharing it. */
export interface SqliteWriteContext {
  readonly db: Database;
  readonly evidence?: EvidenceAppender;
}

function drive<T>(db: Database, ctx: SqliteWriteContext | null, steps: Steps<T>): T {
  let r = steps.next();
  while (r.done !== true) {
    const s = r.value;
    let answer: unknown;
    if (s.op === 'append') {
      if (ctx?.evidence === undefined) throw new EarshotError('EARSHOT_E_INTERNAL', `${ctx === null ? 'an operation that only reads' : 'an operation given no evidence log'} tried to append to it`);
      answer = ctx.evidence.append(s.leaf);
    } else if (s.op === 'has-table') {
      answer = statement(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(s.table) !== undefined;
    } else {
      const st = statement(db, s.sql);
      // A read runs in a deferred transaction, where SQLite would let a write through: refused, as PostgreSQL's READ ONLY does.
      if (ctx === null && !st.readonly) throw new EarshotError('EARSHOT_E_INTERNAL', 'an operation that only reads tried to change the record');
      answer = s.op === 'get' ? st.get(...s.params) : s.op === 'all' ? st.all(...s.params) : st.run(...s.params).changes;
    }
    r = steps.next(answer);
  }
  return r.value;
}

/** Runs a write operation now, in one immediate transaction (a savepoint inside a caller's transaction). */
export function writeNow<T>(ctx: SqliteWriteContext, steps: Steps<T>): T {
  return ctx.db.transaction(() => drive(ctx.db, ctx, steps)).immediate();
}

/** Runs an operation that only reads, in one deferred transaction (one snapshot). */
export function readNow<T>(db: Database, steps: Steps<T>): T {
  return db.transaction(() => drive(db, null, steps)).deferred();
}

/**
 * The port over the embedded store (the operations run at once; the promise is already settled). Without
 * an evidence log, an operation that appends is refused.
 */
export function sqliteRecord(ctx: SqliteWriteContext & { readonly now: () => number }): RecordStore {
  return {
    store: 'sqlite',
    now: ctx.now,
    write: async (steps) => writeNow(ctx, steps),
    read: async (steps) => readNow(ctx.db, steps),
  };
}
