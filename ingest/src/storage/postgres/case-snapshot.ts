/**
 * A court bundle's snapshot of a case on PostgreSQL (DESIGN §6, §8): the rows
 * the export reads, copied in one REPEATABLE READ READ ONLY transaction into a
 * private SQLite file of the embedded schema, and the case's clips into a
 * folder beside it. The export then reads that file with the same code as on
 * the embedded store (export/exporter.ts writeCaseBundle), so the two stores
 * give the same bundle, byte for byte (ingest/test/export/export-postgres.test.ts),
 * and the PDF's seconds of layout hold no database transaction open.
 *
 * What is copied is bounded by the case, as every query of the export is
 * (export/build-model.ts): the case's own rows; for each deployment span (found
 * by the export's own deploymentSpans on the rows just copied), the device's
 * series over the span's whole hours; its calibration records and config
 * history; its last heartbeat before the span (the clock and config in force at
 * its start); and the evidence leaves those rows cite. Account secrets are not
 * copied. ingest/test/export/snapshot-tables.test.ts checks that every table
 * the export reads is filled here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { requireCase } from '../../cases/case-row.ts';
import { type Db, openDatabase } from '../../db/open.ts';
import { type Period, type PeriodInput, resolvePeriod } from '../../export/period.ts';
import { type DeploymentSpan, deploymentSpans } from '../../export/spans.ts';
import { ALL_MIGRATIONS } from '../../service/migrations.ts';
import { HOUR_MS } from '../../store/level-blocks/migrations.ts';
import { quote, sqliteTables } from '../copy/sqlite-tables.ts';

export interface CaseSnapshot {
  readonly db: Db;
  readonly clipsDir: string;
  readonly period: Period;
  readonly spans: readonly DeploymentSpan[];
  /** Rows copied, all tables. */
  readonly rows: number;
  /** Clip files copied. */
  readonly clips: number;
}

/** Rows fetched from the cursor at a time: bounded memory for a month of 1 s records. */
const FETCH_ROWS = 10_000;

/** Columns never copied out of the database: the accounts' and devices' secrets (the snapshot keeps their shape, empty). */
const SECRET: Record<string, Record<string, string>> = {
  users: { password_salt: "'\\x'::bytea", password_hash: "'\\x'::bytea", scrypt_n: '0', scrypt_r: '0', scrypt_p: '0' },
};

/** The series of a device, each by its time column: copied over a span's whole hours, so the rollups and blocks match the rows. */
const SERIES: readonly (readonly [table: string, time: string])[] = [
  ['levels', 't'], ['level_bands', 't'],
  ['levels_1m', 'start'], ['levels_1m_hist', 'start'], ['levels_10m', 'start'], ['levels_10m_hist', 'start'], ['level_bands_10m', 'start'],
  ['level_blocks', 'hour_ms'], ['band_blocks', 'hour_ms'],
  ['events', 'device_time'], ['clips', 'device_time'], ['status', 'sent_at'],
];

/** Copies the case into `dir` (earshot.db and clips/); the caller removes the folder. */
export async function takeCaseSnapshot(pool: pg.Pool, caseRef: string, input: PeriodInput, nowMs: number, dir: string): Promise<CaseSnapshot> {
  const clipsDir = join(dir, 'clips');
  mkdirSync(clipsDir, { recursive: true });
  const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
  // A private file, read once and removed: no journal, no sync; and rows are copied as they are, a table at a time.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  // Leaves are copied by index, not appended in order: the log's own checks stay with the store.
  db.exec('DROP TRIGGER evidence_leaves_next_only');
  const columns = new Map(sqliteTables(db).map((t) => [t.name, t.columns]));
  const client = await pool.connect();
  let rows = 0;
  let clips = 0;
  const copy = async (table: string, where: string, values: readonly unknown[], suffix = ''): Promise<void> => {
    const cols = columns.get(table)!;
    const select = cols.map((c) => SECRET[table]?.[c] ?? quote(c)).join(', ');
    const insert = db.prepare(`INSERT OR IGNORE INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    await client.query(`DECLARE snapshot_rows NO SCROLL CURSOR FOR SELECT ${select} FROM ${quote(table)} WHERE ${where}${suffix}`, values as unknown[]);
    for (;;) {
      const page = await client.query<unknown[]>({ text: `FETCH FORWARD ${FETCH_ROWS} FROM snapshot_rows`, rowMode: 'array' });
      for (const r of page.rows) insert.run(r);
      rows += page.rows.length;
      if (page.rows.length < FETCH_ROWS) break;
    }
    await client.query('CLOSE snapshot_rows');
  };
  try {
    db.exec('BEGIN');
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await copy('cases', 'ref = $1', [caseRef]);
    for (const t of ['case_history', 'deployments', 'diary_entries', 'case_contacts', 'events', 'clips']) await copy(t, 'case_ref = $1', [caseRef]);
    for (const t of ['deployment_equipment', 'calibration_checks']) await copy(t, 'deployment_id IN (SELECT id FROM deployments WHERE case_ref = $1)', [caseRef]);
    await copy('users', 'true', []);
    // The same refusals as on the embedded store, from the same code.
    requireCase(db, caseRef);
    const period = resolvePeriod(db, caseRef, input, nowMs);
    const spans = deploymentSpans(db, caseRef, period, nowMs);
    for (const device of new Set(spans.map((s) => s.deviceId))) {
      for (const t of ['device_configs', 'device_config_history']) await copy(t, 'device = $1', [device]);
      await copy('events', "device = $1 AND kind = 'calibration'", [device]);
    }
    for (const s of spans) {
      const from = Math.floor(s.from / HOUR_MS) * HOUR_MS;
      const to = Math.ceil(Math.max(s.to, s.from + 1) / HOUR_MS) * HOUR_MS;
      for (const [table, time] of SERIES) await copy(table, `device = $1 AND ${time} >= $2 AND ${time} < $3`, [s.deviceId, from, to]);
      await copy('status', 'device = $1 AND sent_at < $2', [s.deviceId, from], ' ORDER BY sent_at DESC, seq DESC LIMIT 1');
    }
    await copy('evidence_leaves', 'leaf_index = ANY($1::bigint[])', [citedLeaves(db, columns)]);
    const files = db.prepare<[], { f: string }>('SELECT file AS f FROM clips WHERE file IS NOT NULL UNION SELECT recording_file FROM diary_entries WHERE recording_file IS NOT NULL').pluck().all() as unknown as string[];
    for (const file of files) {
      const r = await client.query<{ data: Buffer }>('SELECT data FROM clip_files WHERE file = $1', [file]);
      // A file the store lacks is missing from the snapshot too: the export then says so, as it does on the embedded store.
      if (r.rows[0] === undefined) continue;
      writeFileSync(join(clipsDir, file), r.rows[0].data);
      clips++;
    }
    await client.query('COMMIT');
    db.exec('COMMIT');
    return { db, clipsDir, period, spans, rows, clips };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    db.close();
    throw e;
  } finally {
    client.release();
  }
}

/** Every evidence leaf index a copied row names (columns leaf_index and *_leaf). */
function citedLeaves(db: Db, columns: ReadonlyMap<string, readonly string[]>): number[] {
  const parts: string[] = [];
  for (const [table, cols] of columns) {
    if (table.startsWith('evidence_')) continue;
    for (const c of cols) if (c === 'leaf_index' || c.endsWith('_leaf')) parts.push(`SELECT ${quote(c)} AS i FROM ${quote(table)} WHERE ${quote(c)} IS NOT NULL`);
  }
  return db.prepare(`SELECT DISTINCT i FROM (${parts.join(' UNION ALL ')}) ORDER BY i`).pluck().all() as number[];
}
