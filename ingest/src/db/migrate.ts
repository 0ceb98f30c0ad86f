/**
 * Schema migrations. Each area of the service (store, evidence, cases, …) owns its
 * own list of migrations, each named uniquely and never edited once shipped; the
 * service applies every area's list in order. Applied names are recorded in
 * `schema_migrations`, so reopening a database applies only what is new.
 */
import type { Database as Db } from 'better-sqlite3';

export interface Migration {
  /** Unique across the service, e.g. "store-001-levels". */
  readonly name: string;
  /** SQL run once, inside a transaction. */
  readonly sql: string;
}

export function migrate(db: Db, migrations: readonly Migration[]): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
  const applied = new Set(db.prepare<[], { name: string }>('SELECT name FROM schema_migrations').all().map((r) => r.name));
  const record = db.prepare<[string, string]>('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  const seen = new Set<string>();
  const done: string[] = [];
  for (const m of migrations) {
    if (seen.has(m.name)) throw new Error(`migration ${m.name} is listed twice`);
    seen.add(m.name);
    if (applied.has(m.name)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.name, new Date().toISOString());
    })();
    done.push(m.name);
  }
  return done;
}
