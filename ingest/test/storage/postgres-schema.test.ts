/**
 * The PostgreSQL schema: every SQLite table, column, key and index mirrored;
 * the evidence log append-only in the database (triggers, and no UPDATE or
 * DELETE for the service role); the schema version recorded, a newer one
 * refused; the level rollups kept exact as SQLite's levels writer keeps them.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { ALL_MIGRATIONS } from '../../src/service/migrations.ts';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { openPostgres } from '../../src/storage/postgres/connect.ts';
import { createPgLevelsWriter } from '../../src/storage/postgres/levels-writer.ts';
import { SCHEMA_VERSION } from '../../src/storage/postgres/migrate.ts';
import { usePostgres } from './pg-fixture.ts';

const fx = usePostgres();

/** SQLite declared type → the PostgreSQL type it is mirrored as (schema/migration.ts). */
const TYPES: Record<string, string> = { INTEGER: 'bigint', REAL: 'double precision', TEXT: 'text', BLOB: 'bytea' };
/** Tables only PostgreSQL has: the clips folder (schema/clip-files.ts), the web's export jobs (schema/export-jobs.ts) and the schema's version. */
const PG_ONLY = new Set(['clip_files', 'export_jobs', 'export_job_files', 'schema_version', 'schema_migrations']);

interface Shape {
  columns: Record<string, string[]>;
  keys: Record<string, string[]>;
  indexes: string[];
}

function sqliteShape(file: string): Shape {
  const db = openDatabase(file, ALL_MIGRATIONS);
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name").all();
  const shape: Shape = { columns: {}, keys: {}, indexes: [] };
  for (const { name } of tables) {
    const cols = db.prepare<[], { name: string; type: string; notnull: number; pk: number }>(`PRAGMA table_info("${name}")`).all();
    shape.columns[name] = cols.map((c) => `${c.name} ${TYPES[c.type] ?? c.type}${c.notnull === 1 || c.pk > 0 ? ' not null' : ''}`);
    shape.keys[name] = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  }
  shape.indexes = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name").all().map((r) => r.name);
  db.close();
  return shape;
}

async function pgShape(pool: pg.Pool): Promise<Shape> {
  const shape: Shape = { columns: {}, keys: {}, indexes: [] };
  const cols = await pool.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position");
  for (const c of cols.rows) {
    if (PG_ONLY.has(c.table_name)) continue;
    (shape.columns[c.table_name] ??= []).push(`${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`);
  }
  const keys = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc
     JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
     WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() ORDER BY tc.table_name, k.ordinal_position`);
  for (const t of Object.keys(shape.columns)) shape.keys[t] = [];
  for (const k of keys.rows) if (!PG_ONLY.has(k.table_name)) shape.keys[k.table_name]!.push(k.column_name);
  // Indexes made by CREATE INDEX, not those behind a PRIMARY KEY or UNIQUE constraint.
  const idx = await pool.query<{ name: string; table: string }>(
    `SELECT i.relname AS name, t.relname AS table FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1`);
  shape.indexes = idx.rows.filter((r) => !PG_ONLY.has(r.table)).map((r) => r.name);
  return shape;
}

describe('PostgreSQL schema', () => {
  it('mirrors every SQLite table with the same columns, nullability, keys and indexes', async () => {
    const lite = sqliteShape(join(fx.tempDir(), 'earshot.db'));
    const post = await pgShape(await fx.pool());
    expect(Object.keys(post.columns).sort()).toEqual(Object.keys(lite.columns).sort());
    for (const t of Object.keys(lite.columns)) {
      expect({ t, columns: [...post.columns[t]!].sort() }).toEqual({ t, columns: [...lite.columns[t]!].sort() });
      expect({ t, key: post.keys[t] }).toEqual({ t, key: lite.keys[t] });
    }
    expect(post.indexes).toEqual(lite.indexes);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the evidence log, and a leaf out of turn, even to the owner', async () => {
    const { target, name } = await fx.database();
    const pool = await fx.pool(target);
    await pool.query("INSERT INTO evidence_leaves VALUES (0, '\\x01', decode(repeat('00', 32), 'hex'), 'x')");
    await pool.query("INSERT INTO evidence_nodes VALUES (1, 0, decode(repeat('00', 32), 'hex'))");
    await pool.query("INSERT INTO evidence_tree_heads (tree_size, sth, signature) VALUES (1, '\\x7b7d', decode(repeat('00', 64), 'hex'))");
    for (const sql of [
      "UPDATE evidence_leaves SET leaf = '\\x02'",
      'DELETE FROM evidence_leaves',
      'TRUNCATE evidence_leaves',
      'UPDATE evidence_nodes SET level = 2',
      'DELETE FROM evidence_nodes',
      'TRUNCATE evidence_nodes CASCADE',
      'UPDATE evidence_tree_heads SET tree_size = 0',
      'DELETE FROM evidence_tree_heads',
    ]) {
      await expect(pool.query(sql), sql).rejects.toThrow(/append-only/);
    }
    await expect(pool.query("INSERT INTO evidence_leaves VALUES (5, '\\x01', decode(repeat('00', 32), 'hex'), 'x')")).rejects.toThrow(/next index only/);
    await expect(pool.query("INSERT INTO evidence_nodes VALUES (1, 0, decode(repeat('11', 32), 'hex')) ON CONFLICT (level, node_index) DO UPDATE SET hash = excluded.hash")).rejects.toThrow(/append-only/);
    expect((await fx.server().sql(name, 'SELECT count(*)::int AS n FROM evidence_leaves')).rows[0]).toEqual({ n: 1 });
  });

  it('gives the service role no UPDATE, DELETE or TRUNCATE on the evidence log, but the rest it needs', async () => {
    const { target, name } = await fx.database();
    await fx.pool(target);
    const server = fx.server();
    await server.sql('postgres', "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ingest_svc') THEN CREATE ROLE ingest_svc LOGIN PASSWORD 'svc-password-1'; END IF; END $$");
    await server.sql('postgres', 'GRANT earshot_service TO ingest_svc');
    const svc = new pg.Client({ connectionString: server.url(name, 'ingest_svc', 'svc-password-1') });
    await svc.connect();
    try {
      await svc.query("INSERT INTO evidence_leaves VALUES (0, '\\x01', decode(repeat('00', 32), 'hex'), 'x')");
      await svc.query("INSERT INTO devices VALUES ('d1', '\\x00', '\\x00', 1, 1, 1, NULL, NULL, 1, 0, 0)");
      await svc.query("UPDATE devices SET enabled = 0 WHERE id = 'd1'");
      await svc.query("DELETE FROM devices WHERE id = 'd1'");
      for (const sql of ['DELETE FROM evidence_leaves', "UPDATE evidence_leaves SET leaf = '\\x02'", 'TRUNCATE evidence_tree_heads', 'DELETE FROM evidence_nodes', 'ALTER TABLE evidence_leaves DISABLE TRIGGER USER', 'UPDATE schema_version SET version = 0']) {
        await expect(svc.query(sql), sql).rejects.toMatchObject({ code: expect.stringMatching(/^42501$|^42P16$/) });
      }
    } finally {
      await svc.end();
    }
  });

  it('records its version, migrates once when opened again or by two processes at once, and refuses a newer schema', async () => {
    const { target, name } = await fx.database();
    const [a, b] = await Promise.all([openPostgres(target), openPostgres(target)]);
    await a.end();
    await b.end();
    const v = await fx.server().sql(name, 'SELECT version FROM schema_version');
    expect(v.rows).toEqual([{ version: SCHEMA_VERSION }]);
    const names = await fx.server().sql(name, 'SELECT count(*)::int AS n FROM schema_migrations');
    expect(names.rows[0]).toEqual({ n: SCHEMA_VERSION });
    await (await openPostgres(target)).end();

    await fx.server().sql(name, 'UPDATE schema_version SET version = version + 1');
    await expect(openPostgres(target)).rejects.toMatchObject({ code: 'EARSHOT_E_STORE_SCHEMA_NEWER' });
    await fx.server().sql(name, "UPDATE schema_version SET version = version - 1; INSERT INTO schema_migrations VALUES ('pg-future-001', 'x')");
    await expect(openPostgres(target)).rejects.toMatchObject({ code: 'EARSHOT_E_STORE_SCHEMA_NEWER', message: expect.stringMatching(/pg-future-001.*upgrade Earshot/) });
  });

  it('keeps the level rollups exactly as SQLite does, through inserts and deletes', async () => {
    const db = openDatabase(join(fx.tempDir(), 'earshot.db'), ALL_MIGRATIONS);
    const pool = await fx.pool();
    const rows: unknown[][] = [];
    for (let i = 0; i < 400; i++) {
      const laeq = i % 17 === 0 ? null : 30 + ((i * 7.31) % 40);
      rows.push([1_767_225_600_000 + i * 1000, i % 3 === 0 ? 'b' : 'a', 1, laeq, i % 5 === 0 ? null : 40 + (i % 23), i % 7 === 0 ? null : 20 + (i % 11), i % 13 === 0 ? 1 : 0, i]);
    }
    // Both stores' rollups are kept by their levels writers (timeline/rollup-batch.ts, storage/postgres/levels-writer.ts);
    // the deletes below by each store's delete trigger.
    const levels = createLevelsWriter(db);
    const pgLevels = createPgLevelsWriter();
    const c = await pool.connect();
    for (const r of rows) {
      const [t, device, d, laeq, lafmax, lafmin, silent, seq] = r as [number, string, number, number | null, number | null, number | null, number, number];
      const body = { fullScaleDb: 120, records: [{ t: new Date(t).toISOString(), d, LAeq: laeq, LCeq: null, LZeq: null, LAFmax: lafmax, LAFmin: lafmin, LASmax: null, LCpeak: null, ...(silent === 1 ? { silent: true as const } : {}) }] };
      levels.write(device, seq, body);
      await c.query('BEGIN');
      await pgLevels.write(c, [{ device, seq, body }]);
      await c.query('COMMIT');
    }
    c.release();
    const del = 'DELETE FROM levels WHERE t % 3000 = 0 OR (t >= 1767225720000 AND t < 1767225780000)';
    const compare = async (): Promise<void> => {
      for (const t of ['levels_1m', 'levels_10m', 'levels_1m_hist', 'levels_10m_hist']) {
        const q = `SELECT * FROM ${t} ORDER BY device, start${t.endsWith('hist') ? ', bin' : ''}`;
        const l = db.prepare(q).all() as Record<string, number | string | null>[];
        const p = (await pool.query<Record<string, number | string | null>>(q)).rows;
        expect(p.length, t).toBe(l.length);
        l.forEach((row, i) => {
          for (const [k, v] of Object.entries(row)) {
            if (typeof v === 'number') expect(p[i]![k], `${t}.${k}`).toBeCloseTo(v, 6);
            else expect(p[i]![k], `${t}.${k}`).toBe(v);
          }
        });
      }
    };
    await compare();
    db.exec(del);
    await pool.query(del);
    await compare();
    db.close();
  });

  it('keeps clips content-addressed: a row whose bytes do not hash to its name is refused, and never updated', async () => {
    const pool = await fx.pool();
    const data = Buffer.from('RIFF-a-clip');
    const sha = createHash('sha256').update(data).digest('hex');
    await pool.query('INSERT INTO clip_files (file, bytes, data, stored_at) VALUES ($1, $2, $3, 0)', [`${sha}.wav`, data.length, data]);
    await expect(pool.query('INSERT INTO clip_files (file, bytes, data, stored_at) VALUES ($1, $2, $3, 0)', [`${'0'.repeat(64)}.wav`, data.length, data])).rejects.toMatchObject({ code: '23514' });
    await expect(pool.query("UPDATE clip_files SET stored_at = 1")).rejects.toThrow(/never changes/);
  });
});
