/**
 * The purge's store on PostgreSQL (retention/purge-store.ts): the record port's
 * PostgreSQL adapter, and a clip file no row references any more deleted from
 * `clip_files` in the transaction that audits it (schema/clip-files.ts: the
 * service role may delete a clip's bytes, never change them). Each of its write
 * transactions first takes LOCK.blockSeal, so no record it deletes is being
 * packed into a level or band block meanwhile (block-sealer.ts).
 */
import type pg from 'pg';
import type { PurgeStore } from '../../retention/purge-store.ts';
import { postgresRecord } from '../record/postgres-record.ts';
import { get, run } from '../record/steps.ts';
import { EARSHOT_LOCK_CLASS, LOCK } from './advisory-locks.ts';

export function postgresPurgeStore(pool: pg.Pool, now: () => number = Date.now): PurgeStore {
  return {
    store: 'postgres',
    record: postgresRecord(pool, now),
    *beginWrite() {
      yield* get('SELECT pg_advisory_xact_lock(?, ?)', EARSHOT_LOCK_CLASS, LOCK.blockSeal);
    },
    *dropFiles(names) {
      for (const name of names) yield* run('DELETE FROM clip_files WHERE file = ?', name);
    },
    filesDropped: () => undefined,
  };
}
