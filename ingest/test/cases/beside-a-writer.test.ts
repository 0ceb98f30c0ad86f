/**
 * Officer commands write beside a running `earshot serve`, which commits to the
 * same SQLite file many times a second. A transaction that reads before it writes
 * must wait its turn for the write lock (BEGIN IMMEDIATE), not fail with
 * "database is locked" because another connection committed between its read and
 * its first write (SQLite's busy handler is not called for that upgrade).
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openCase } from '../../src/cases/cases.ts';
import { type Fixture, openFixture } from './fixture.ts';

let f: Fixture | undefined;
afterEach(() => f?.close());

/** A real second process committing small write transactions to `file` until it is killed. */
function startWriter(file: string): { stop(): Promise<void>; ready: Promise<void> } {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS writer_ticks (n INTEGER NOT NULL)');
    const ins = db.prepare('INSERT INTO writer_ticks (n) VALUES (?)');
    process.stdout.write('ready\\n');
    let n = 0;
    const tick = () => { for (let i = 0; i < 50; i++) ins.run(n++); setImmediate(tick); };
    tick();`;
  const child = spawn(process.execPath, ['-e', script, file], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
  });
  return {
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('case writes beside another writer', () => {
  it('opens 150 cases while another process commits continuously, none refused as locked', async () => {
    f = openFixture();
    const writer = startWriter(f.file);
    await writer.ready;
    const failures: string[] = [];
    try {
      for (let i = 1; i <= 150; i++) {
        try {
          openCase(f, { ref: `ASB-2026-${String(i).padStart(4, '0')}`, category: 'general', officer: 'P. Officer', address: `${i} Acacia Avenue` });
        } catch (e) {
          failures.push((e as Error).message);
        }
        // Let the writer commit between our transactions.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await writer.stop();
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
