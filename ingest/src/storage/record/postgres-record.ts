/**
 * The PostgreSQL adapter of the record port (steps.ts): drives an operation on one client inside
 * BEGIN … COMMIT. A write first takes the record's transaction-scoped advisory lock (advisory-locks.ts
 * LOCK.recordWrite), so the record's writers are serialised across every process sharing the database, as
 * SQLite's BEGIN IMMEDIATE serialises them on one machine: an operation's checks (is the device already
 * deployed, is the reference free) hold until it commits. Its leaves take the evidence log's append lock
 * after it (always in that order; the ingest takes only the second, so the two cannot deadlock). A read runs
 * in one REPEATABLE READ READ ONLY snapshot.
 */
import { EarshotError } from '@earshot/shared';
import type pg from 'pg';
import type { EvidenceLeafInput } from '../../cases/evidence-port.ts';
import { type EvidenceLeaf, encodeLeaf } from '../../evidence/leaf.ts';
import { EARSHOT_LOCK_CLASS, LOCK } from '../postgres/advisory-locks.ts';
import { appendInTransaction } from '../postgres/evidence-log.ts';
import { inTransaction } from '../postgres/transaction.ts';
import type { RecordStore, Steps } from './steps.ts';

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the shared dialect keeps `?` out of quoted text). */
const texts = new Map<string, string>();
export function postgresText(sql: string): string {
  let t = texts.get(sql);
  if (t === undefined) {
    let n = 0;
    t = sql.replace(/\?/g, () => `$${++n}`);
    texts.set(sql, t);
  }
  return t;
}

async function appendLeaf(c: pg.ClientBase, leaf: EvidenceLeafInput, now: () => number): Promise<{ leafIndex: number }> {
  const recordedAt = new Date(now()).toISOString();
  const bytes = encodeLeaf({ v: 1, kind: leaf.kind, recordedAt, caseRef: leaf.caseRef, data: leaf.data } as EvidenceLeaf);
  const [appended] = await appendInTransaction(c, [{ leaf: bytes, appendedAt: recordedAt }]);
  if (leaf.kind === 'correction') {
    // As the SQLite log refuses it (evidence-log.ts): a correction names an earlier leaf.
    const corrects = (leaf.data as { correctsLeafIndex: number }).correctsLeafIndex;
    if (corrects >= appended!.leafIndex) throw new EarshotError('EARSHOT_E_LEAF_INVALID', `correction of leaf ${corrects}, but the log holds ${appended!.leafIndex} leaves`);
  }
  return { leafIndex: appended!.leafIndex };
}

async function drive<T>(c: pg.ClientBase, steps: Steps<T>, now: (() => number) | null): Promise<T> {
  let r = steps.next();
  while (r.done !== true) {
    const s = r.value;
    let answer: unknown;
    if (s.op === 'append') {
      if (now === null) throw new EarshotError('EARSHOT_E_INTERNAL', 'an operation that only reads tried to append to the evidence log');
      answer = await appendLeaf(c, s.leaf, now);
    } else if (s.op === 'has-table') {
      answer = (await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [s.table])).rows[0]?.t != null;
    } else {
      const res = await c.query(postgresText(s.sql), s.params as unknown[]);
      answer = s.op === 'get' ? res.rows[0] : s.op === 'all' ? res.rows : (res.rowCount ?? 0);
    }
    r = steps.next(answer);
  }
  return r.value;
}

const READ_ONLY_SQL_TRANSACTION = '25006';

export function postgresRecord(pool: pg.Pool, now: () => number = Date.now): RecordStore {
  return {
    store: 'postgres',
    now,
    // Constants only, so BEGIN and the lock go as one simple query.
    write: (steps) => inTransaction(pool, `BEGIN; SELECT pg_advisory_xact_lock(${EARSHOT_LOCK_CLASS}, ${LOCK.recordWrite})`, (c) => drive(c, steps, now)),
    read: (steps) => inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (c) => drive(c, steps, null)).catch((e: unknown) => {
      // https://www.postgresql.org/docs/15/errcodes-appendix.html: 25006 read_only_sql_transaction.
      if ((e as { code?: unknown }).code === READ_ONLY_SQL_TRANSACTION) throw new EarshotError('EARSHOT_E_INTERNAL', 'an operation that only reads tried to change the record');
      throw e;
    }),
  };
}
