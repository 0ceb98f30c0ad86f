/**
 * The device registry on PostgreSQL (storage/postgres/device-registry.ts) as
 * `earshot serve` holds it while `earshot device` runs in another process
 * (storage/postgres/device-admin.ts, on a pool of its own): every change is in
 * memory within a bound, credentials answer as on SQLite, a disable made
 * elsewhere fires onDisable, and a listening connection killed by the server
 * loses nothing made while it was gone. A real PostgreSQL.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { EarshotError } from '@earshot/shared';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSecretScrypt, KEYED_HASH_N } from '../../src/devices/secret.ts';
import { addDevice, listDevices, setDeviceEnabled, undoAddDevice } from '../../src/storage/postgres/device-admin.ts';
import { openPgDeviceRegistry, type PgDeviceRegistry } from '../../src/storage/postgres/device-registry.ts';
import { usePostgres } from './pg-fixture.ts';
import { codeOf, codeOfAsync } from '../support/error-code.ts';

const fx = usePostgres();
const registries: PgDeviceRegistry[] = [];
afterEach(async () => {
  for (const r of registries.splice(0)) await r.close();
});

/** A serve-like registry on its own pool, and an admin pool on the same database (two processes). */
async function twoProcesses(opts: Parameters<typeof openPgDeviceRegistry>[1] = {}): Promise<{ admin: pg.Pool; serve: pg.Pool; reg: PgDeviceRegistry }> {
  const { target } = await fx.database();
  const admin = await fx.pool(target);
  const serve = await fx.pool(target);
  const reg = await openPgDeviceRegistry(serve, opts);
  registries.push(reg);
  return { admin, serve, reg };
}

async function until(what: string, ok: () => boolean, ms = 2_000): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}


const edPem = (): string => generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();

/** A logger whose lines the test reads. */
function capture(): { logger: Logger; lines: () => { msg: string }[] } {
  const out: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, done) { out.push(chunk.toString()); done(); } });
  return { logger: pino({ level: 'info' }, sink), lines: () => out.join('').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { msg: string }) };
}

describe('PostgreSQL device registry', () => {
  it('sees an add, a disable and an enable made by another process, by notification and by refresh()', async () => {
    const { admin, reg } = await twoProcesses();
    expect(reg.list()).toEqual([]);
    const a = await addDevice(admin, 'flat-1', { now: 1_000 });
    // By notification alone, well within the broker's own poll of a second.
    expect(await until('flat-1 in memory', () => reg.get('flat-1') !== null)).toBeLessThan(1_000);
    expect(reg.get('flat-1')).toEqual({ id: 'flat-1', enabled: true, publicKeyPem: null, keyPinnedAt: null, createdAt: a.createdAt });
    // In byte order, as SQLite's ORDER BY id: '-' before digits before letters (en_US would skip the '-').
    for (const id of ['ab-1', 'a-b1', 'a0b1', 'abc']) await addDevice(admin, id, { now: 2_000 });
    await reg.refresh();
    expect(reg.ids()).toEqual(['a-b1', 'a0b1', 'ab-1', 'abc', 'flat-1']);
    expect(reg.list().map((d) => d.id)).toEqual(reg.ids());
    expect((await listDevices(admin)).map((d) => d.id)).toEqual(reg.ids());

    await setDeviceEnabled(admin, 'flat-1', false, 5_000);
    await reg.refresh();
    expect(reg.get('flat-1')?.enabled).toBe(false);
    expect(reg.disabledSince(4_999)).toEqual(['flat-1']);
    expect(reg.disabledSince(5_000)).toEqual([]);
    expect(reg.changedSince(4_000)).toEqual([{ id: 'flat-1', enabled: false, changedAt: expect.any(Number) }]);
    await setDeviceEnabled(admin, 'flat-1', true, 6_000);
    await reg.refresh();
    expect(reg.get('flat-1')?.enabled).toBe(true);
    expect(reg.changedSince(5_500)).toEqual([{ id: 'flat-1', enabled: true, changedAt: expect.any(Number) }]);

    // Taken back (a broker account that could not be made): gone from memory too.
    expect(await undoAddDevice(admin, 'abc', 1)).toBe(false);
    expect(await undoAddDevice(admin, 'abc', 2_000)).toBe(true);
    await reg.refresh();
    expect(reg.get('abc')).toBeNull();
    expect(reg.ids()).toEqual(['a-b1', 'a0b1', 'ab-1', 'flat-1']);

    // Many rows in one transaction: all of them, after the one marker.
    await admin.query(`INSERT INTO devices (id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, created_at, changed_at)
      SELECT 'bulk-' || lpad(i::text, 4, '0'), '\\x00', '\\x00', 0, 0, 0, 7000, 7000 FROM generate_series(1, 500) AS i`);
    await reg.refresh();
    expect(reg.ids().length).toBe(504);
    expect(reg.ids()).toEqual([...reg.ids()].sort());
    // A TRUNCATE says "everything": read again.
    await admin.query('TRUNCATE devices');
    await reg.refresh();
    expect(reg.ids()).toEqual([]);
  });

  it('answers credentials ok, bad secret, unknown and disabled, as on SQLite', async () => {
    const { admin, reg } = await twoProcesses();
    const { secret } = await addDevice(admin, 'dev-a');
    await reg.refresh();
    expect(await reg.checkCredentials('dev-a', Buffer.from(secret))).toBe('ok');
    expect(await reg.checkCredentials('dev-a', Buffer.from(`${secret}x`))).toBe('bad-secret');
    expect(await reg.checkCredentials('dev-a', undefined)).toBe('bad-secret');
    expect(await reg.checkCredentials('dev-zz', Buffer.from(secret))).toBe('unknown');
    expect(reg.needsSlowCheck('dev-a')).toBe(false);
    await setDeviceEnabled(admin, 'dev-a', false);
    await reg.refresh();
    expect(await reg.checkCredentials('dev-a', Buffer.from(secret))).toBe('disabled');
    expect(await reg.checkCredentials('dev-a', Buffer.from('wrong'))).toBe('bad-secret');
    await setDeviceEnabled(admin, 'dev-a', true);
    await reg.refresh();
    expect(await reg.checkCredentials('dev-a', Buffer.from(secret))).toBe('ok');
  });

  it('upgrades an older scrypt hash at the first good CONNECT, in memory at once and in PostgreSQL after', async () => {
    const { admin, reg } = await twoProcesses();
    const secret = 'an-older-secret-of-enough-length-000000000';
    const h = hashSecretScrypt(secret);
    await admin.query('INSERT INTO devices (id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, created_at, changed_at) VALUES ($1, $2, $3, $4, $5, $6, 1, 1)',
      ['old-one', h.salt, h.hash, h.params.N, h.params.r, h.params.p]);
    await reg.refresh();
    expect(reg.needsSlowCheck('old-one')).toBe(true);
    expect(await reg.checkCredentials('old-one', Buffer.from('wrong'))).toBe('bad-secret');
    expect(reg.needsSlowCheck('old-one')).toBe(true);
    expect(await reg.checkCredentials('old-one', Buffer.from(secret))).toBe('ok');
    expect(reg.needsSlowCheck('old-one')).toBe(false);
    const row = async () => (await admin.query<{ n: number }>("SELECT scrypt_n AS n FROM devices WHERE id = 'old-one'")).rows[0]!.n;
    const start = Date.now();
    while ((await row()) !== KEYED_HASH_N && Date.now() - start < 2_000) await new Promise((r) => setTimeout(r, 10));
    expect(await row()).toBe(KEYED_HASH_N);
    await reg.refresh();
    expect(reg.needsSlowCheck('old-one')).toBe(false);
    expect(await reg.checkCredentials('old-one', Buffer.from(secret))).toBe('ok');
  });

  it('fires onDisable for a device disabled by another process, once, and not for an enable', async () => {
    const { admin, reg } = await twoProcesses();
    await addDevice(admin, 'dev-a');
    await addDevice(admin, 'dev-b');
    await reg.refresh();
    const fired: string[] = [];
    reg.onDisable((id) => fired.push(id));
    await setDeviceEnabled(admin, 'dev-b', false);
    expect(await until('onDisable(dev-b)', () => fired.length > 0)).toBeLessThan(1_000);
    expect(fired).toEqual(['dev-b']);
    await setDeviceEnabled(admin, 'dev-b', false);
    await setDeviceEnabled(admin, 'dev-b', true);
    await reg.refresh();
    expect(fired).toEqual(['dev-b']);
  });

  it('reconnects after its listening connection is terminated and misses nothing made meanwhile', async () => {
    const { target } = await fx.database();
    const admin = await fx.pool(target);
    const serve = await fx.pool(target);
    const pids: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const log = capture();
    const reg = await openPgDeviceRegistry(serve, {
      logger: log.logger,
      connect: async () => {
        // The second connection waits for the test: the changes below are made while none listens.
        if (pids.length > 0) await gate;
        const c = new pg.Client({ ...serve.options });
        await c.connect();
        pids.push((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
        return c;
      },
    });
    registries.push(reg);
    await addDevice(admin, 'dev-a');
    await addDevice(admin, 'dev-b');
    await reg.refresh();
    const fired: string[] = [];
    reg.onDisable((id) => fired.push(id));

    expect((await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pids[0]])).rows[0]!.ok).toBe(true);
    await until('the listener lost', () => log.lines().some((l) => l.msg.startsWith('device registry: lost')));
    // Made while nothing listens: no notification reaches this registry.
    await addDevice(admin, 'dev-c');
    await setDeviceEnabled(admin, 'dev-a', false);
    await undoAddDevice(admin, 'dev-b', reg.get('dev-b')!.createdAt);
    // Reads still answer, from memory as it was.
    expect(reg.ids()).toEqual(['dev-a', 'dev-b']);
    const refreshed = reg.refresh();
    release();
    await refreshed;
    expect(pids.length).toBe(2);
    expect(pids[1]).not.toBe(pids[0]);
    expect(reg.ids()).toEqual(['dev-a', 'dev-c']);
    expect(reg.get('dev-a')?.enabled).toBe(false);
    expect(fired).toEqual(['dev-a']);
    expect(log.lines().map((l) => l.msg)).toContain('device registry: notifications restored, every device read again');
    // And it listens again.
    await setDeviceEnabled(admin, 'dev-c', false);
    await until('dev-c disabled', () => reg.get('dev-c')?.enabled === false);
    expect(fired).toEqual(['dev-a', 'dev-c']);
  });

  it('parses a registered key once and caches it; refuses the writes serve makes on SQLite', async () => {
    const { admin, reg } = await twoProcesses();
    const pem = edPem();
    await addDevice(admin, 'keyed', { publicKeyPem: pem, now: 3_000 });
    await addDevice(admin, 'keyless');
    await reg.refresh();
    expect(reg.get('keyed')).toMatchObject({ publicKeyPem: pem, keyPinnedAt: 3_000 });
    const k = reg.publicKey('keyed');
    expect(k?.asymmetricKeyType).toBe('ed25519');
    expect(reg.publicKey('keyed')).toBe(k);
    reg.forgetCachedKey('keyed');
    const again = reg.publicKey('keyed');
    expect(again).not.toBe(k);
    expect(again?.export({ format: 'pem', type: 'spki' })).toBe(pem);
    expect(reg.publicKey('keyless')).toBeNull();
    expect(reg.publicKey('nobody')).toBeNull();

    for (const write of [() => reg.add('new-one'), () => reg.disable('keyed'), () => reg.enable('keyed'), () => reg.pinPublicKey('keyless', pem), () => reg.undoAdd('keyed', 3_000)]) {
      expect(codeOf(write)).toBe('EARSHOT_E_STORE_NOT_SUPPORTED');
    }
    expect(reg.get('keyed')?.enabled).toBe(true);
  });

  it('refuses in device-admin what the SQLite registry refuses, with the same codes', async () => {
    const pool = await fx.pool();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(await codeOfAsync(addDevice(pool, 'Bad_Id'))).toBe('EARSHOT_E_DEVICE_ID_INVALID');
    expect(await codeOfAsync(addDevice(pool, 'dev-c', { publicKeyPem: rsa }))).toBe('EARSHOT_E_DEVICE_KEY_INVALID');
    expect(await codeOfAsync(addDevice(pool, 'dev-d', { publicKeyPem: 'nonsense' }))).toBe('EARSHOT_E_DEVICE_KEY_INVALID');
    const p = await addDevice(pool, 'dev-a');
    expect(p.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await codeOfAsync(addDevice(pool, 'dev-a'))).toBe('EARSHOT_E_DEVICE_EXISTS');
    expect(await codeOfAsync(setDeviceEnabled(pool, 'dev-q', false))).toBe('EARSHOT_E_DEVICE_UNKNOWN');
    const row = (await pool.query<{ scrypt_n: number; dump: string }>("SELECT scrypt_n, row_to_json(d)::text AS dump FROM devices d WHERE id = 'dev-a'")).rows[0]!;
    expect(row.scrypt_n).toBe(KEYED_HASH_N);
    expect(row.dump).not.toContain(p.secret);
    expect((await listDevices(pool)).map((d) => d.id)).toEqual(['dev-a']);
  });
});
