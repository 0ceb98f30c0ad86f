/**
 * Opens the ingest's SQLite database (DESIGN §7: it lives in the data folder).
 * WAL with synchronous=FULL: a transaction that has returned is on disk, which is
 * what "acknowledged means stored" (DESIGN §4) rests on.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import { type Migration, migrate } from './migrate.ts';

export type { Database as Db } from 'better-sqlite3';

const requireCjs = createRequire(import.meta.url);

/**
 * better-sqlite3 is CommonJS: required as such, rather than imported as an ES module, Node skips scanning its
 * source for named exports and building a module wrapper around it (a few milliseconds of every command's start).
 */
const Database = requireCjs('better-sqlite3') as typeof import('better-sqlite3');

let addonPath: string | null | undefined;

/**
 * better-sqlite3's compiled addon where its own lookup (the `bindings` package) would find it first: build/, then
 * build/Debug, then build/Release of the package. Given as `nativeBinding`, it spares every start loading
 * `bindings`, which finds the package from a stack trace and tries each place with a failing require. Null
 * (better-sqlite3 looks itself, as before) when the addon is in none of those three.
 */
function sqliteAddon(): string | null {
  if (addonPath !== undefined) return addonPath;
  const build = join(dirname(requireCjs.resolve('better-sqlite3/package.json')), 'build');
  addonPath = [join(build, 'better_sqlite3.node'), join(build, 'Debug', 'better_sqlite3.node'), join(build, 'Release', 'better_sqlite3.node')].find((f) => existsSync(f)) ?? null;
  return addonPath;
}

/** How long a write waits for another connection's lock before failing (https://www.sqlite.org/pragma.html#pragma_busy_timeout). */
export const BUSY_TIMEOUT_MS = 5_000;

export function openDatabase(file: string, migrations: readonly Migration[]): Db {
  const addon = sqliteAddon();
  const db = addon === null ? new Database(file) : new Database(file, { nativeBinding: addon });
  db.pragma('journal_mode = WAL');
  // https://www.sqlite.org/pragma.html#pragma_synchronous: FULL syncs the WAL at every commit.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  migrate(db, migrations);
  return db;
}
