import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeCase, openCase } from '../../src/cases/cases.ts';
import { purgeCaseFiles } from '../../src/retention/files.ts';
import type { PurgeReport } from '../../src/retention/purge.ts';
import { startRetentionJob } from '../../src/retention/schedule.ts';
import { type Fixture, DAY, openFixture } from '../cases/fixture.ts';

let f: Fixture;
let dir: string;
afterEach(() => {
  vi.useRealTimers();
  f.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fake clip table owned by "another area", and clip files on disk. */
function world(): void {
  f = openFixture();
  dir = mkdtempSync(join(tmpdir(), 'earshot-clips-'));
  f.db.exec('CREATE TABLE fake_clips (sha256 TEXT PRIMARY KEY, case_ref TEXT NOT NULL, path TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0) STRICT');
  for (const ref of ['ASB-2026-0001', 'ASB-2026-0002']) {
    openCase(f, { ref, category: 'general', officer: 'P', address: 'Somewhere 1' });
    const path = join(dir, `${ref}.wav`);
    writeFileSync(path, 'RIFF');
    f.db.prepare('INSERT INTO fake_clips (sha256, case_ref, path) VALUES (?, ?, ?)').run(ref.padEnd(64, '0'), ref, path);
  }
  closeCase(f, 'ASB-2026-0002', 'resolved', 'P');
}

const clips = purgeCaseFiles({
  name: 'clip-files',
  listFiles: (db: Database, caseRef: string) =>
    db.prepare<[string], { path: string; sha256: string }>('SELECT path, sha256 FROM fake_clips WHERE case_ref = ? AND removed = 0').all(caseRef),
  markRemoved: (db: Database, caseRef: string) => {
    db.prepare('UPDATE fake_clips SET removed = 1 WHERE case_ref = ?').run(caseRef);
  },
});

describe('case files', () => {
  it('removes the files of expired cases only, each audited with its hash', () => {
    world();
    const now = f.clock + 7 * 366 * DAY;
    let report: PurgeReport | undefined;
    vi.useFakeTimers();
    const job = startRetentionJob(f.db, [clips], { now: () => now, onReport: (r) => (report = r) });
    vi.advanceTimersByTime(1);
    job.stop();
    expect(report?.steps).toEqual([{ name: 'clip-files', rows: 1, auditId: expect.any(Number) }]);
    expect(existsSync(join(dir, 'ASB-2026-0002.wav'))).toBe(false);
    expect(existsSync(join(dir, 'ASB-2026-0001.wav'))).toBe(true);
    const items = f.db.prepare<[], { item: string }>("SELECT item FROM retention_audit_items JOIN retention_audit a ON a.id = audit_id WHERE a.step = 'clip-files'").all();
    expect(items.map((i) => JSON.parse(i.item) as unknown)).toEqual([{ caseRef: 'ASB-2026-0002', file: join(dir, 'ASB-2026-0002.wav'), sha256: 'ASB-2026-0002'.padEnd(64, '0'), leafIndex: null }]);
  });

  it('runs on its schedule and reports errors instead of throwing', () => {
    world();
    vi.useFakeTimers();
    const reports: PurgeReport[] = [];
    const errors: unknown[] = [];
    const job = startRetentionJob(f.db, [clips], { everyMs: DAY, now: () => f.clock, onReport: (r) => reports.push(r), onError: (e) => errors.push(e) });
    vi.advanceTimersByTime(2 * DAY + 1);
    job.stop();
    vi.advanceTimersByTime(5 * DAY);
    expect(reports).toHaveLength(3); // at start, then daily
    const bad = startRetentionJob(f.db, [clips], { policy: { levelsDays: -1 }, onError: (e) => errors.push(e) });
    vi.advanceTimersByTime(1);
    bad.stop();
    expect(errors).toEqual([expect.objectContaining({ code: 'EARSHOT_E_CONFIG_INVALID' })]);
  });
});
