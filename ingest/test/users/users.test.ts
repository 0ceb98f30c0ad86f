import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { EvidenceLog, decodeLeaf, serverKeyFromPrivate } from '../../src/evidence/index.ts';
import { OWASP_SCRYPT, accessPortFor, checkPassword, createAccessLog, createUsers, hashPassword, usersMigrations } from '../../src/users/index.ts';

const T0 = Date.parse('2026-11-24T09:00:00.000Z');
const CHEAP = { N: 1024, r: 8, p: 1 };
let dir = '';
let db: Db;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): Db {
  dir = mkdtempSync(join(tmpdir(), 'earshot-users-'));
  db = openDatabase(join(dir, 'earshot.db'), usersMigrations);
  return db;
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('passwords', () => {
  it('hashes with OWASP\'s scrypt parameters and a fresh salt each time', async () => {
    open();
    expect(OWASP_SCRYPT).toEqual({ N: 131_072, r: 8, p: 1 });
    const a = await hashPassword('a long enough passphrase');
    const b = await hashPassword('a long enough passphrase');
    expect(a.params).toEqual(OWASP_SCRYPT);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.hash.equals(b.hash)).toBe(false);
    expect(await checkPassword('a long enough passphrase', a)).toBe(true);
    expect(await checkPassword('a long enough passphrasE', a)).toBe(false);
  });
});

describe('accounts and tokens', () => {
  it('adds accounts, refuses duplicates and bad input, and never stores a token or password', async () => {
    open();
    let now = T0;
    const users = createUsers(db, { now: () => now, scrypt: CHEAP });
    await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'twelve chars ok' });
    expect(await code(users.add({ username: 'jsmith', displayName: 'Jo', initials: 'JO', role: 'admin', password: 'twelve chars ok' }))).toBe('EARSHOT_E_USER_EXISTS');
    expect(await code(users.add({ username: 'x', displayName: 'X', initials: 'X', role: 'officer', password: 'short' }))).toBe('EARSHOT_E_USER_INVALID');
    const s = await users.login('jsmith', 'twelve chars ok');
    expect(s.user).toEqual({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer' });
    expect(Buffer.from(s.token, 'base64url')).toHaveLength(32);
    const dump = JSON.stringify(db.prepare('SELECT * FROM user_tokens').all()) + JSON.stringify(db.prepare('SELECT * FROM users').all());
    expect(dump).not.toContain(s.token);
    expect(dump).not.toContain('twelve chars ok');
    expect((await users.authenticate(s.token))?.username).toBe('jsmith');
    now = T0 + 8 * 3_600_000;
    expect(await users.authenticate(s.token)).toBeNull();
  });

  it('counts failures per username in a 15 minute window', async () => {
    open();
    let now = T0;
    const users = createUsers(db, { now: () => now, scrypt: CHEAP });
    await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'twelve chars ok' });
    for (let i = 0; i < 4; i++) expect(await code(users.login('jsmith', 'nope nope nope'))).toBe('EARSHOT_E_HTTP_LOGIN_FAILED');
    now += 16 * 60_000; // the window has passed: counting starts again
    for (let i = 0; i < 4; i++) expect(await code(users.login('jsmith', 'nope nope nope'))).toBe('EARSHOT_E_HTTP_LOGIN_FAILED');
    expect((await users.login('jsmith', 'twelve chars ok')).user.username).toBe('jsmith');
    // Unknown usernames are throttled too, and fail the same way.
    for (let i = 0; i < 5; i++) expect(await code(users.login('nobody', 'nope nope nope'))).toBe('EARSHOT_E_HTTP_LOGIN_FAILED');
    expect(await code(users.login('nobody', 'nope nope nope'))).toBe('EARSHOT_E_HTTP_LOGIN_LOCKED');
  });

  it('lets an officer see only the cases assigned to their account (never by display name: issue 11 item 8), supervisors and admins all', async () => {
    open();
    const users = createUsers(db, { scrypt: CHEAP });
    const o = await users.add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'twelve chars ok' });
    const s = await users.add({ username: 'sup', displayName: 'Sam', initials: 'SU', role: 'supervisor', password: 'twelve chars ok' });
    expect([users.canSeeCase(o, 'jsmith'), users.canSeeCase(o, 'Jo Smith'), users.canSeeCase(o, 'bjones'), users.canSeeCase(s, 'bjones')]).toEqual([true, false, false, true]);
  });
});

describe('access log', () => {
  it('writes a row and a DESIGN §5 access leaf in one transaction', () => {
    open();
    const leaves: unknown[] = [];
    const log = createAccessLog(db, accessPortFor({ append: (leaf) => ({ leafIndex: leaves.push(leaf) - 1 }) }, () => T0), () => T0);
    const e = log.record({ username: 'jsmith', action: 'clip', caseRef: 'ASB-2026-0001', target: 'mon-001/clip-1' });
    expect(e).toMatchObject({ id: 1, at: '2026-11-24T09:00:00.000Z', leafIndex: 0 });
    expect(leaves).toEqual([{ v: 1, kind: 'access', recordedAt: '2026-11-24T09:00:00.000Z', caseRef: 'ASB-2026-0001', data: { username: 'jsmith', action: 'clip', target: 'mon-001/clip-1', at: '2026-11-24T09:00:00.000Z' } }]);
    const failing = createAccessLog(db, { append: () => { throw new Error('log unavailable'); } });
    expect(() => failing.record({ username: 'jsmith', action: 'case', caseRef: null, target: 'x' })).toThrow('log unavailable');
    expect(log.list()).toHaveLength(1);
  });

  it('appends leaves the real evidence log accepts, in the same database', () => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-users-'));
    db = openDatabase(join(dir, 'earshot.db'), [...EvidenceLog.migrations, ...usersMigrations]);
    const evidence = new EvidenceLog(db, serverKeyFromPrivate(generateKeyPairSync('ed25519').privateKey), { now: () => new Date(T0) });
    const log = createAccessLog(db, accessPortFor(evidence, () => T0), () => T0);
    const e = log.record({ username: 'sup', action: 'export', caseRef: 'ASB-2026-0001', target: '2026-11-01T00:00:00.000Z/2026-11-08T00:00:00.000Z' });
    expect(evidence.size).toBe(1);
    const leaf = decodeLeaf(evidence.leaf(e.leafIndex)!.leaf);
    expect(leaf).toMatchObject({ ok: true, leaf: { kind: 'access', caseRef: 'ASB-2026-0001', data: { username: 'sup', action: 'export' } } });
  });
});
