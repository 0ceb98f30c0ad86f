/**
 * Applies the PostgreSQL schema (schema/index.ts) under an advisory lock, so
 * several ingest processes starting at once migrate once. Records each applied
 * migration's name in `schema_migrations` (as db/migrate.ts does for SQLite) and
 * the schema version — how many migrations make it — in `schema_version`.
 *
 * A database at a newer version than this code (or holding migrations it does
 * not know) is refused before anything is changed: an older Earshot must not
 * write rows a newer schema interprets differently.
 */
import { EarshotError } from '@earshot/shared';
import type pg from 'pg';
import { EARSHOT_LOCK_CLASS, LOCK } from './advisory-locks.ts';
import { PG_MIGRATIONS, type PgMigration } from './schema/index.ts';

export interface MigrateOptions {
  /** false: only check that the schema is not newer (nothing is created). */
  readonly apply: boolean;
  readonly migrations?: readonly PgMigration[];
}

const BOOKKEEPING = `
CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at text NOT NULL);
CREATE TABLE schema_version (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version integer NOT NULL CHECK (version >= 0),
  updated_at text NOT NULL
);`;

/** The schema version this code writes: the number of its migrations. */
export const SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Applies pending migrations in one transaction on `c`; returns the names applied. */
export async function migratePostgres(c: pg.ClientBase, options: MigrateOptions): Promise<string[]> {
  const migrations = options.migrations ?? PG_MIGRATIONS;
  await c.query('BEGIN');
  try {
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [EARSHOT_LOCK_CLASS, LOCK.schema]);
    const exists = (await c.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t")).rows[0]?.t != null;
    const applied = new Set<string>();
    if (exists) {
      const v = (await c.query<{ version: number }>('SELECT version FROM schema_version')).rows[0]?.version ?? 0;
      for (const r of (await c.query<{ name: string }>('SELECT name FROM schema_migrations')).rows) applied.add(r.name);
      const known = new Set(migrations.map((m) => m.name));
      const unknown = [...applied].filter((n) => !known.has(n));
      if (v > migrations.length || unknown.length > 0) {
        throw new EarshotError('EARSHOT_E_STORE_SCHEMA_NEWER', `its schema is version ${v}${unknown.length > 0 ? ` (with ${unknown.slice(0, 3).join(', ')})` : ''}, this Earshot knows version ${migrations.length}; upgrade Earshot before using this database`);
      }
    }
    const done: string[] = [];
    if (options.apply) {
      const now = new Date().toISOString();
      if (!exists) {
        await c.query(BOOKKEEPING);
        await c.query('INSERT INTO schema_version (version, updated_at) VALUES (0, $1)', [now]);
      }
      for (const m of migrations) {
        if (applied.has(m.name)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [m.name, now]);
        done.push(m.name);
      }
      if (done.length > 0) await c.query('UPDATE schema_version SET version = $1, updated_at = $2', [migrations.length, now]);
    }
    await c.query('COMMIT');
    return done;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
