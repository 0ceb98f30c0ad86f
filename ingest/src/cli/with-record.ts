/**
 * How a command that only reads the database opens the data folder. Its own file, apart from with-ingest.ts,
 * so that such a command's compiled chunk does not load the service (scripts/build.js).
 */
import { prepareDataDir, resolveDataDir } from '../data-dir.ts';
import { type Db, openDatabase } from '../db/open.ts';
import { loadOrCreateServerKey } from '../evidence/server-key.ts';
import { ALL_MIGRATIONS } from '../service/migrations.ts';

/**
 * Opens the data folder as withIngest does (folders, database brought up to date, server key created or
 * checked, with the same failures) for a command that only reads the database: the evidence log, device
 * registry and attacher it would not use are neither loaded nor built.
 */
export async function withRecord<T>(dataDir: string | undefined, f: (db: Db) => T | Promise<T>): Promise<T> {
  const dir = prepareDataDir(resolveDataDir(dataDir));
  const db = openDatabase(dir.database, ALL_MIGRATIONS);
  try {
    loadOrCreateServerKey(dir.keys);
    return await f(db);
  } finally {
    db.close();
  }
}
