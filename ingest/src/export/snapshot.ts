/**
 * A read-only connection holding one snapshot of the database for the whole
 * export. The 1 s levels stream into the ZIP over several seconds; an iterator
 * that long on the service's own connection would block the pipeline's writes
 * (better-sqlite3 allows nothing else on a connection while it iterates). In WAL
 * mode a reader sees one consistent snapshot from its transaction's first read
 * while writers carry on (https://www.sqlite.org/wal.html §2.2).
 */
import Database from 'better-sqlite3';
import type { Db } from '../db/open.ts';

export interface Snapshot {
  readonly db: Db;
  close(): void;
}

export function openSnapshot(file: string): Snapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.exec('BEGIN');
  // A deferred transaction takes its snapshot at the first read (https://www.sqlite.org/lang_transaction.html).
  db.prepare('SELECT count(*) FROM cases').get();
  return {
    db,
    close() {
      if (!db.open) return;
      if (db.inTransaction) db.exec('COMMIT');
      db.close();
    },
  };
}
