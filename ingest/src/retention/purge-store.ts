/**
 * Where the purge runs (issue 14): the store's record port, and how the store
 * removes a clip file no row references any more.
 *
 * - SQLite: the files are in the data folder's `clips/`; they are unlinked after
 *   the transaction that marked them removed and audited them commits. If the
 *   job dies between the two, the next run finds the file no longer listed, and
 *   a missing file is not an error: a file is never removed without its audit
 *   entry.
 * - PostgreSQL (storage/postgres/purge-store.ts): the files are rows of
 *   `clip_files`, deleted in that same transaction.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { sqliteRecord } from '../storage/record/sqlite-record.ts';
import type { RecordStore, Steps } from '../storage/record/steps.ts';

export interface PurgeStore {
  readonly store: RecordStore['store'];
  readonly record: RecordStore;
  /** First in each of the purge's write transactions (PostgreSQL: the lock the block sealer takes). */
  beginWrite(): Steps<void>;
  /** Inside the transaction that audits them. */
  dropFiles(names: readonly string[]): Steps<void>;
  /** After that transaction has committed. */
  filesDropped(names: readonly string[]): void;
}

function* none(): Steps<void> {}

const CLIP_NAME = /^[0-9a-f]{64}\.[a-z0-9]{1,8}$/;

export function sqlitePurgeStore(db: Database, clipsDir: string, now: () => number = Date.now): PurgeStore {
  return {
    store: 'sqlite',
    record: sqliteRecord({ db, now }),
    // One writer at a time already: the sealer's transactions and the purge's are each BEGIN IMMEDIATE.
    beginWrite: none,
    dropFiles: none,
    filesDropped(names) {
      for (const name of names) {
        // Names are content-addressed (store/clip-file.ts): anything else is not a file of the folder's.
        if (!CLIP_NAME.test(name)) throw new RangeError(`not a clip file name: ${name}`);
        rmSync(join(clipsDir, name), { force: true });
      }
    },
  };
}
