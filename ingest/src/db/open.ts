/**
 * Opens the ingest's SQLite database (DESIGN §7: it lives in the data folder).
 * WAL with synchronous=FULL: a transaction that has returned is on disk, which is
 * what "acknowledged means stored" (DESIGN §4) rests on.
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { type Migration, migrate } from './migrate.ts';

export type { Database as Db } from 'better-sqlite3';

export function openDatabase(file: string, migrations: readonly Migration[]): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // https://www.sqlite.org/pragma.html#pragma_synchronous: FULL syncs the WAL at every commit.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}
