/**
 * `earshot store copy` (DESIGN §8): moves an embedded installation — every
 * table of its SQLite file and every file of its clips folder — into an empty
 * PostgreSQL database, and proves the copy before keeping it.
 *
 * All of it is one PostgreSQL transaction: the rows (multi-row INSERTs in
 * batches, in an order that satisfies the foreign keys; identity sequences then
 * moved past the copied ids), the clips (bytea, schema/clip-files.ts), and the
 * checks — each table's row count, every clip's SHA-256 as PostgreSQL computes
 * it from the stored bytes, and the evidence log's size and root hash
 * recomputed from the copied nodes. Only when every check holds is it
 * committed; otherwise it is rolled back and the target stays empty. The
 * SQLite side is read in one read transaction, a consistent snapshot even if
 * the service is still writing (what it writes after that is not copied: stop
 * it first).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError } from '@earshot/shared';
import type pg from 'pg';
import type { Db } from '../../db/open.ts';
import { LogStore } from '../../evidence/log-store.ts';
import { logSizeIn, rootIn } from '../postgres/evidence-log.ts';
import { clipFiles } from './clip-folder.ts';
import { quote, sqliteTables } from './sqlite-tables.ts';

export interface CopyCheck {
  readonly ok: boolean;
  /** One line: what was checked and what was found. */
  readonly line: string;
}

export interface CopyReport {
  readonly ok: boolean;
  readonly checks: readonly CopyCheck[];
  readonly rows: number;
  readonly clips: number;
}

export interface CopySource {
  readonly db: Db;
  readonly clipsDir: string;
}

/** Tables of the PostgreSQL schema that are its own bookkeeping, not copied data. */
const PG_BOOKKEEPING = new Set(['schema_migrations', 'schema_version']);
// https://www.postgresql.org/docs/15/limits.html: a statement takes at most 65 535 parameters.
const MAX_PARAMS = 65_535;
const MAX_BATCH_ROWS = 1000;

async function pgTables(c: pg.ClientBase): Promise<Map<string, Set<string>>> {
  const r = await c.query<{ t: string; c: string }>('SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()');
  const m = new Map<string, Set<string>>();
  for (const row of r.rows) {
    if (!m.has(row.t)) m.set(row.t, new Set());
    m.get(row.t)!.add(row.c);
  }
  return m;
}

async function refuseNonEmpty(c: pg.ClientBase, tables: Iterable<string>): Promise<void> {
  const full: string[] = [];
  for (const t of tables) {
    if (PG_BOOKKEEPING.has(t)) continue;
    if ((await c.query<{ e: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(t)}) AS e`)).rows[0]!.e) full.push(t);
  }
  if (full.length > 0) {
    throw new EarshotError('EARSHOT_E_STORE_TARGET_NOT_EMPTY', `${full.slice(0, 5).join(', ')}${full.length > 5 ? ` and ${full.length - 5} more tables` : ''} hold rows; copy into an empty database (nothing was copied)`);
  }
}

async function insertBatch(c: pg.ClientBase, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const k = columns.length;
  const values: unknown[] = [];
  const tuples = rows.map((row, i) => {
    for (const v of row) values.push(v);
    return `(${columns.map((_, j) => `$${i * k + j + 1}`).join(', ')})`;
  });
  await c.query(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

export async function copyStore(source: CopySource, pool: pg.Pool): Promise<CopyReport> {
  const { db } = source;
  const tables = sqliteTables(db);
  const c = await pool.connect();
  const checks: CopyCheck[] = [];
  let rows = 0;
  const files = clipFiles(source.clipsDir);
  db.exec('BEGIN');
  try {
    await c.query('BEGIN');
    const target = await pgTables(c);
    for (const t of tables) {
      const cols = target.get(t.name);
      const missing = cols === undefined ? ['the table'] : t.columns.filter((x) => !cols.has(x));
      if (missing.length > 0) throw new EarshotError('EARSHOT_E_STORE_COPY_MISMATCH', `${t.name}: ${missing.join(', ')} has no place in the PostgreSQL schema (a SQLite migration without its PostgreSQL mirror)`);
    }
    await refuseNonEmpty(c, target.keys());

    // The rollups are copied as they are: the trigger that maintains them from levels would count every level twice.
    const rollupTrigger = (await c.query("SELECT 1 FROM pg_trigger WHERE tgname = 'levels_rollup_insert'")).rowCount === 1;
    if (rollupTrigger) await c.query('ALTER TABLE levels DISABLE TRIGGER levels_rollup_insert');
    const counts = new Map<string, number>();
    for (const t of tables) {
      const batch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMS / t.columns.length)));
      const stmt = db.prepare(`SELECT ${t.columns.map(quote).join(', ')} FROM ${quote(t.name)} ORDER BY ${t.orderBy}`).raw(true);
      let pending: unknown[][] = [];
      let n = 0;
      for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
        pending.push(row);
        if (pending.length === batch) {
          await insertBatch(c, t.name, t.columns, pending);
          n += pending.length;
          pending = [];
        }
      }
      if (pending.length > 0) await insertBatch(c, t.name, t.columns, pending);
      n += pending.length;
      counts.set(t.name, n);
      rows += n;
    }
    if (rollupTrigger) await c.query('ALTER TABLE levels ENABLE TRIGGER levels_rollup_insert');
    // New rows must not reuse a copied id.
    const identities = await c.query<{ t: string; col: string }>("SELECT table_name AS t, column_name AS col FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'");
    for (const { t, col } of identities.rows) {
      await c.query(`SELECT setval(pg_get_serial_sequence($1, $2), max(${quote(col)})) FROM ${quote(t)} HAVING max(${quote(col)}) IS NOT NULL`, [t, col]);
    }

    const sourceSha = new Map<string, string>();
    for (const f of files) {
      const bytes = readFileSync(join(source.clipsDir, f));
      const sha = createHash('sha256').update(bytes).digest('hex');
      sourceSha.set(f, sha);
      // A clip whose bytes are not its name is damaged in the source: PostgreSQL's check would refuse it.
      if (sha === f.slice(0, 64)) await c.query('INSERT INTO clip_files (file, bytes, data, stored_at) VALUES ($1, $2, $3, $4)', [f, bytes.length, bytes, Date.now()]);
    }

    // The checks, on what the transaction now holds.
    for (const t of tables) {
      const want = (db.prepare(`SELECT count(*) AS n FROM ${quote(t.name)}`).get() as { n: number }).n;
      const got = (await c.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(t.name)}`)).rows[0]!.n;
      checks.push({ ok: want === got && got === counts.get(t.name), line: `table ${t.name}: ${want} rows in SQLite, ${got} in PostgreSQL` });
    }
    const stored = new Map((await c.query<{ file: string; sha: string }>("SELECT file, encode(sha256(data), 'hex') AS sha FROM clip_files")).rows.map((r) => [r.file, r.sha]));
    const bad: string[] = [];
    for (const [f, sha] of sourceSha) {
      if (sha !== f.slice(0, 64)) bad.push(`${f} hashes to ${sha} in the source`);
      else if (stored.get(f) !== sha) bad.push(`${f} is ${stored.has(f) ? 'different' : 'missing'} in PostgreSQL`);
    }
    checks.push({ ok: bad.length === 0 && stored.size === sourceSha.size, line: bad.length === 0 ? `clips: ${files.length} files, each one's SHA-256 in PostgreSQL equal to its name` : `clips: ${bad.length} of ${files.length} files differ: ${bad.slice(0, 5).join('; ')}` });
    const log = new LogStore(db);
    const liteSize = log.size;
    const liteRoot = log.root(liteSize).toString('hex');
    const pgSize = await logSizeIn(c);
    const pgRoot = pgSize === liteSize ? (await rootIn(c, pgSize)).toString('hex') : '(not computed)';
    checks.push({ ok: pgSize === liteSize && pgRoot === liteRoot, line: `evidence log: ${liteSize} leaves, root ${liteRoot} in SQLite; ${pgSize} leaves, root ${pgRoot} in PostgreSQL` });

    const ok = checks.every((x) => x.ok);
    await c.query(ok ? 'COMMIT' : 'ROLLBACK');
    return { ok, checks, rows, clips: files.length };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    db.exec('COMMIT');
    c.release();
  }
}
