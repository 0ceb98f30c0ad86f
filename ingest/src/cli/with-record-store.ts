/**
 * How `earshot case`, `deploy` and `user` reach the record on the store EARSHOT_STORE_URL names
 * (DESIGN §8), through the record port (storage/record/steps.ts): the SQLite file of the data folder, or
 * PostgreSQL, opened and closed around the command. The same operations run on both, so both say the same
 * and refuse alike.
 *
 * Reading on SQLite opens only the database (with-record.ts), as before, so `case list` starts at once; the
 * PostgreSQL driver is loaded only when the store is PostgreSQL.
 */
import { EarshotError } from '@earshot/shared';
import { readNow, sqliteRecord } from '../storage/record/sqlite-record.ts';
import type { RecordStore } from '../storage/record/steps.ts';
import { storeFromEnv } from '../storage/store-url.ts';
import { withRecord } from './with-record.ts';

export type RecordUse = 'read' | 'write';

/** Runs f on the record of the store EARSHOT_STORE_URL names, closing it whatever happens. */
export async function withRecordStore<T>(dataDir: string | undefined, use: RecordUse, f: (record: RecordStore) => Promise<T>): Promise<T> {
  const target = storeFromEnv();
  if (target.kind === 'postgres') {
    const [{ openPostgres }, { postgresRecord }] = await Promise.all([import('../storage/postgres/connect.ts'), import('../storage/record/postgres-record.ts')]);
    const pool = await openPostgres(target, { maxConnections: 1 });
    try {
      return await f(postgresRecord(pool));
    } finally {
      await pool.end();
    }
  }
  if (use === 'read') {
    return withRecord(dataDir, (db) => f({
      store: 'sqlite',
      now: Date.now,
      read: async (steps) => readNow(db, steps),
      write: async () => {
        throw new EarshotError('EARSHOT_E_INTERNAL', 'a reading command tried to change the record');
      },
    }));
  }
  const { withIngest } = await import('./with-ingest.ts');
  return withIngest(dataDir, (ingest) => f(sqliteRecord(ingest.cases)));
}
