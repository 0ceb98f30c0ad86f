/**
 * The tables of an embedded SQLite store, read for `earshot store copy`: every
 * table but SQLite's own and the migration record, in an order in which each
 * table comes after the tables its foreign keys reference, each with its
 * columns and the order that reproduces it (its primary key, else rowid: the
 * evidence log's leaves must arrive in index order).
 */
import type { Db } from '../../db/open.ts';

export interface SqliteTable {
  readonly name: string;
  readonly columns: readonly string[];
  readonly orderBy: string;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function sqliteTables(db: Db): SqliteTable[] {
  const names = db.prepare<[], { name: string; wr: number }>(
    "SELECT name, sql LIKE '%WITHOUT ROWID%' AS wr FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name").all();
  const tables = new Map<string, SqliteTable & { refs: string[] }>();
  for (const { name, wr } of names) {
    const cols = db.prepare<[], { name: string; pk: number }>(`PRAGMA table_info(${quote(name)})`).all();
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quote(c.name));
    const refs = db.prepare<[], { table: string }>(`PRAGMA foreign_key_list(${quote(name)})`).all().map((r) => r.table).filter((t) => t !== name);
    tables.set(name, { name, columns: cols.map((c) => c.name), orderBy: pk.length > 0 ? pk.join(', ') : wr ? cols.map((c) => quote(c.name)).join(', ') : 'rowid', refs });
  }
  const ordered: SqliteTable[] = [];
  const placed = new Set<string>();
  const visit = (name: string, path: Set<string>): void => {
    const t = tables.get(name);
    if (t === undefined || placed.has(name) || path.has(name)) return;
    path.add(name);
    for (const r of t.refs) visit(r, path);
    placed.add(name);
    ordered.push({ name: t.name, columns: t.columns, orderBy: t.orderBy });
  };
  for (const name of tables.keys()) visit(name, new Set());
  return ordered;
}

export { quote };
