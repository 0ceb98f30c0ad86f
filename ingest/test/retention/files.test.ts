import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeCase, openCase } from '../../src/cases/cases.ts';
import { purgeCaseFiles } from '../../src/retention/files.ts';
import { sqlitePurgeStore } from '../../src/retention/purge-store.ts';
import { all, run } from '../../src/storage/record/steps.ts';
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

const SHA: Record<string, string> = { 'ASB-2026-0001': 'a'.repeat(64), 'ASB-2026-0002': 'b'.repeat(64) };

/** A fake clip table owned by "another area", and clip files on disk. */
function world(): void {
  f = openFixture();
  dir = mkdtempSync(join(tmpdir(), 'earshot-clips-'));
  f.db.exec('CREATE TABLE fake_clips (sha256 TEXT PRIMARY KEY, case_ref TEXT NOT NULL, name TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0) STRICT');
  for (const ref of ['ASB-2026-0001', 'ASB-2026-0002']) {
    openCase(f, { ref, category: 'general', officer: 'P', address: 'Somewhere 1' });
    writeFileSync(join(dir, `${SHA[ref]}.wav`), 'RIFF');
    f.db.prepare('INSERT INTO fake_clips (sha256, case_ref, name) VALUES (?, ?, ?)').run(SHA[ref], ref, `${SHA[ref]}.wav`);
  }
  closeCase(f, 'ASB-2026-0002', 'resolved', 'P');
}

const clips = purgeCaseFiles({
  name: 'clip-files',
  listFiles: (caseRef: string) => all<{ name: string; sha256: string }>('SELECT name, sha256 FROM fake_clips WHERE case_ref = ? AND removed = 0', caseRef),
  markRemoved: (caseRef: string) => run('UPDATE fake_clips SET removed = 1 WHERE case_ref = ?', caseRef),
});

describe('case files', () => {
  it('removes the files of expired cases only, each audited with its hash', async () => {
    world();
    const now = f.clock + 7 * 366 * DAY;
    let report: PurgeReport | undefined;
    vi.useFakeTimers();
    const job = startRetentionJob(sqlitePurgeStore(f.db, dir), [clips], { now: () => now, onReport: (r) => (report = r) });
    await vi.advanceTimersByTimeAsync(1);
    await job.stop();
    expect(report?.steps).toEqual([{ name: 'clip-files', rows: 1, auditId: expect.any(Number) }]);
    expect(existsSync(join(dir, `${SHA['ASB-2026-0002']}.wav`))).toBe(false);
    expect(existsSync(join(dir, `${SHA['ASB-2026-0001']}.wav`))).toBe(true);
    const items = f.db.prepare<[], { item: string }>("SELECT item FROM retention_audit_items JOIN retention_audit a ON a.id = audit_id WHERE a.step = 'clip-files'").all();
    expect(items.map((i) => JSON.parse(i.item) as unknown)).toEqual([{ caseRef: 'ASB-2026-0002', file: `${SHA['ASB-2026-0002']}.wav`, sha256: SHA['ASB-2026-0002'], leafIndex: null }]);
  });

  it('runs on its schedule, only while held, and reports errors instead of throwing', async () => {
    world();
    vi.useFakeTimers();
    const reports: PurgeReport[] = [];
    const errors: unknown[] = [];
    const store = sqlitePurgeStore(f.db, dir);
    const job = startRetentionJob(store, [clips], { everyMs: DAY, now: () => f.clock, onReport: (r) => reports.push(r), onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(2 * DAY + 1);
    await job.stop();
    await vi.advanceTimersByTimeAsync(5 * DAY);
    expect(reports).toHaveLength(3); // at start, then daily
    // Beside PostgreSQL: only the lease's holder runs it; runNow() on taking the lease over.
    let held = false;
    const standby = startRetentionJob(store, [clips], { everyMs: DAY, held: () => held, onReport: (r) => reports.push(r) });
    await vi.advanceTimersByTimeAsync(DAY + 1);
    expect(reports).toHaveLength(3);
    held = true;
    await standby.runNow();
    expect(reports).toHaveLength(4);
    await standby.stop();
    const bad = startRetentionJob(store, [clips], { policy: { levelsDays: -1 }, onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(1);
    await bad.stop();
    expect(errors).toEqual([expect.objectContaining({ code: 'EARSHOT_E_CONFIG_INVALID' })]);
  });
});
