/** Issue 11 items 2 and 7: login floods get bounded, fair work per source; the lockout holds under concurrency. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { FairQueue } from '../../src/users/fair-queue.ts';
import { MAX_FAILURES, createUsers, usersMigrations } from '../../src/users/index.ts';

const CHEAP = { N: 1024, r: 8, p: 1 };
const PASSWORD = 'twelve chars ok';
let dir = '';
let db: Db;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): Db {
  dir = mkdtempSync(join(tmpdir(), 'earshot-users-attack-'));
  db = openDatabase(join(dir, 'earshot.db'), usersMigrations);
  return db;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? 'thrown';
  }
}

describe('lockout under concurrency (issue 11 item 7)', () => {
  it('evaluates at most the failure limit of 200 simultaneous guesses, so the right one among them is locked out', async () => {
    open();
    const users = createUsers(db, { scrypt: CHEAP, hashing: { concurrency: 4, maxPerSource: 1_000, maxQueued: 1_000 } });
    await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: PASSWORD });
    const guesses = Array.from({ length: 200 }, (_, i) => (i === 150 ? PASSWORD : `wrong guess ${i}`));
    const results = await Promise.all(guesses.map((g) => outcome(users.login('jsmith', g, 'attacker'))));
    expect(results.filter((r) => r === 'EARSHOT_E_HTTP_LOGIN_FAILED').length).toBe(MAX_FAILURES);
    expect(results.filter((r) => r === 'EARSHOT_E_HTTP_LOGIN_LOCKED').length).toBe(200 - MAX_FAILURES);
    expect(results[150]).toBe('EARSHOT_E_HTTP_LOGIN_LOCKED');
  });

  it('still lets the right password in as the last attempt within the limit, and clears the count', async () => {
    open();
    const users = createUsers(db, { scrypt: CHEAP });
    await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: PASSWORD });
    const wrong = await Promise.all(Array.from({ length: MAX_FAILURES - 1 }, (_, i) => outcome(users.login('jsmith', `wrong ${i}`))));
    expect(wrong.every((r) => r === 'EARSHOT_E_HTTP_LOGIN_FAILED')).toBe(true);
    expect(await outcome(users.login('jsmith', PASSWORD))).toBe('ok');
    expect(await outcome(users.login('jsmith', 'wrong again'))).toBe('EARSHOT_E_HTTP_LOGIN_FAILED');
  });
});

describe('login flood (issue 11 item 2)', () => {
  it('refuses a flooding source at once beyond its small queue, and serves another source next', async () => {
    open();
    const users = createUsers(db, { scrypt: { N: 8192, r: 8, p: 1 }, hashing: { concurrency: 1, maxPerSource: 4, maxQueued: 64 } });
    await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: PASSWORD });
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>): Promise<string> => outcome(p).then((r) => {
      order.push(`${name}:${r}`);
      return r;
    });
    const flood = Array.from({ length: 64 }, (_, i) => track(`a${i}`, users.login(`random-${i}`, 'not the password', '192.0.2.7')));
    const good = track('good', users.login('jsmith', PASSWORD, '198.51.100.1'));
    const results = await Promise.all(flood);
    expect(await good).toBe('ok');
    expect(results.filter((r) => r === 'EARSHOT_E_HTTP_LOGIN_BUSY').length).toBe(60);
    expect(results.filter((r) => r === 'EARSHOT_E_HTTP_LOGIN_FAILED').length).toBe(4);
    // Round robin: the good login runs right after the flood's first, not after all four.
    const evaluated = order.filter((o) => !o.endsWith('BUSY'));
    expect(evaluated.indexOf('good:ok')).toBeLessThanOrEqual(1);
  });
});

describe('fair queue', () => {
  it('runs at most `concurrency` tasks, round robin over sources, and refuses past its bounds', async () => {
    const q = new FairQueue({ concurrency: 1, maxPerSource: 2, maxQueued: 3 });
    const ran: string[] = [];
    let release: (() => void)[] = [];
    const task = (name: string) => () => new Promise<string>((resolve) => {
      ran.push(name);
      release.push(() => resolve(name));
    });
    const a1 = q.run('a', task('a1'));
    const a2 = q.run('a', task('a2'));
    expect(() => q.run('a', task('a3'))).toThrow(/busy/);
    const b1 = q.run('b', task('b1'));
    expect(() => q.run('c', task('c1'))).toThrow(/busy/);
    expect(ran).toEqual(['a1']);
    const step = async (): Promise<void> => {
      const r = release;
      release = [];
      for (const f of r) f();
      await new Promise((resolve) => setImmediate(resolve));
    };
    await step();
    expect(ran).toEqual(['a1', 'b1']);
    await step();
    expect(ran).toEqual(['a1', 'b1', 'a2']);
    await step();
    expect(await Promise.all([a1, a2, b1])).toEqual(['a1', 'a2', 'b1']);
  });
});
