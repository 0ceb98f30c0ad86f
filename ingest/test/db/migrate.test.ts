import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { migrate } from '../../src/db/migrate.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'earshot-db-'));
  dirs.push(d);
  return join(d, 'earshot.db');
}

describe('migrations', () => {
  it('applies each migration once, across reopenings', () => {
    const file = tempFile();
    const first = [{ name: 't-001', sql: 'CREATE TABLE a (x INTEGER) STRICT' }];
    const db = openDatabase(file, first);
    db.prepare('INSERT INTO a VALUES (1)').run();
    db.close();
    const both = [...first, { name: 't-002', sql: 'CREATE TABLE b (y TEXT) STRICT' }];
    const again = openDatabase(file, both);
    expect(migrate(again, both)).toEqual([]);
    expect(again.prepare('SELECT count(*) AS n FROM a').get()).toEqual({ n: 1 });
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    again.close();
  });

  it('rolls back a failing migration whole', () => {
    const file = tempFile();
    const bad = [{ name: 't-001', sql: 'CREATE TABLE a (x INTEGER) STRICT; CREATE TABLE a (y) STRICT' }];
    expect(() => openDatabase(file, bad)).toThrow();
    const db = openDatabase(file, []);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
    db.close();
  });
});
