/**
 * The diary's sources (issue 13): the migration that rebuilds diary_entries keeps
 * every row, names the old sources anew ('manual' → 'officer', 'csv' → 'import'),
 * keeps corrections pointing at their entries, and the received time of each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { listDiary } from '../../src/cases/diary.ts';
import { casesMigrations } from '../../src/cases/index.ts';
import { migrate } from '../../src/db/migrate.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('diary sources migration', () => {
  it('rebuilds the table with every row, the new source names and corrections intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-diary-mig-'));
    dirs.push(dir);
    const db = new Database(join(dir, 'earshot.db'));
    db.pragma('foreign_keys = ON');
    const before = casesMigrations.filter((m) => m.name !== 'cases-008-diary-sources');
    migrate(db, before);
    db.prepare("INSERT INTO cases (ref, category, status, officer, opened_at, status_at, response_due_at, response_due_date, details_sha256, leaf_index) VALUES ('ASB-2026-0001', 'general', 'open', 'jsmith', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-08T00:00:00.000Z', '2026-11-08', 'x', 0)").run();
    const ins = db.prepare("INSERT INTO diary_entries (case_ref, started_ms, source, content, content_sha256, created_at, leaf_index) VALUES ('ASB-2026-0001', ?, ?, ?, 'sha', ?, ?)");
    ins.run(1_000, 'manual', JSON.stringify({ salt: 's', heard: 'one', effect: null, recordedBy: null }), '2026-11-02T10:00:00.123Z', 1);
    ins.run(2_000, 'csv', JSON.stringify({ salt: 's', heard: 'two', effect: null, recordedBy: 'Officer' }), '2026-11-02T11:00:00.000Z', 2);
    ins.run(3_000, 'manual', JSON.stringify({ salt: 's', heard: 'two, corrected', effect: null, recordedBy: null }), '2026-11-02T12:00:00.000Z', 3);
    db.prepare("INSERT INTO diary_corrections (corrected_id, replacement_id, by_user, reason, at_ms, leaf_index) VALUES (2, 3, 'jsmith', 'typo', 5, 4)").run();

    expect(migrate(db, casesMigrations)).toEqual(['cases-008-diary-sources']);
    const entries = listDiary(db, 'ASB-2026-0001');
    expect(entries.map((e) => [e.id, e.source, e.content?.heard, e.receivedAt, e.writtenAt, e.recording])).toEqual([
      [1, 'officer', 'one', '2026-11-02T10:00:00.123Z', null, null],
      [2, 'import', 'two', '2026-11-02T11:00:00.000Z', null, null],
      [3, 'officer', 'two, corrected', '2026-11-02T12:00:00.000Z', null, null],
    ]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare('SELECT corrected_id, replacement_id FROM diary_corrections').all()).toEqual([{ corrected_id: 2, replacement_id: 3 }]);
    expect(() => db.prepare("INSERT INTO diary_entries (case_ref, started_ms, source, content_sha256, created_at, leaf_index, received_ms) VALUES ('ASB-2026-0001', 1, 'manual', 'x', 'x', 9, 1)").run()).toThrow(/CHECK/);
    expect(db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE tbl_name = 'diary_entries' AND type = 'index' ORDER BY name").all().map((r) => r.name)).toEqual(['diary_by_case', 'diary_by_recording']);
    db.close();
  });
});
