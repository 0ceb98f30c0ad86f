/**
 * `earshot device add | list | disable | enable` on PostgreSQL (EARSHOT_STORE_URL
 * set), the commands called in this process as the command line calls them:
 * the same lines as on SQLite, the rows in PostgreSQL, no SQLite file made, the
 * server key read from --data-dir, and with an external mosquitto broker the
 * device's account made and switched there (the add taken back when the broker
 * refuses the account). A real PostgreSQL and a real mosquitto.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EarshotError } from '@earshot/shared';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Mosquitto, mosquitto } from '../../../test/support/mosquitto.ts';
import { deviceCommands } from '../../src/cli/device.ts';
import type { Io } from '../../src/cli/context.ts';
import { checkStoreForCommand } from '../../src/storage/command-support.ts';
import { usePostgres } from '../storage/pg-fixture.ts';

const fx = usePostgres();
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'earshot-device-pg-'));
  dirs.push(d);
  return d;
};
const saved = { store: process.env['EARSHOT_STORE_URL'], data: process.env['EARSHOT_DATA_DIR'], broker: process.env['EARSHOT_BROKER_URL'] };
afterEach(() => {
  for (const [k, v] of [['EARSHOT_STORE_URL', saved.store], ['EARSHOT_DATA_DIR', saved.data], ['EARSHOT_BROKER_URL', saved.broker]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `earshot device <sub> …` on the store `url` names (undefined: SQLite); its lines, or the error it stops with. */
async function device(url: string | undefined, sub: string, ...args: string[]): Promise<{ code: number; out: string[] }> {
  if (url === undefined) delete process.env['EARSHOT_STORE_URL'];
  else process.env['EARSHOT_STORE_URL'] = url;
  delete process.env['EARSHOT_BROKER_URL'];
  checkStoreForCommand('device', sub);
  const out: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => out.push(`err: ${l}`), stdin: () => Promise.resolve('') };
  const code = await deviceCommands[sub]!(args, io);
  return { code, out };
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EarshotError) return e.code;
    throw e;
  }
  return 'no error';
}

/** The list with the times taken out (they differ between the two stores' runs). */
const untimed = (lines: readonly string[]): string[] => lines.map((l) => l.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME'));

describe('earshot device on PostgreSQL', () => {
  it('adds, lists, disables and enables with the same output as on SQLite, on rows in PostgreSQL', async () => {
    const { url, name } = await fx.database();
    const pgDir = tempDir();
    const liteDir = tempDir();
    const pub = join(pgDir, 'flat-4.pub.pem');
    writeFileSync(pub, generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString());

    const runs: Record<'pg' | 'lite', string[][]> = { pg: [], lite: [] };
    for (const [store, storeUrl, dir] of [['pg', url, pgDir], ['lite', undefined, liteDir]] as const) {
      const dd = ['--data-dir', dir];
      const json = await device(storeUrl, 'add', 'flat-3', '--server', 'mqtt://ingest.example:1883', '--json', ...dd);
      expect(json.code).toBe(0);
      expect(json.out.length).toBe(1);
      const d = JSON.parse(json.out[0]!) as Record<string, string | number>;
      expect(Object.keys(d)).toEqual(['v', 'deviceId', 'secret', 'server', 'serverPublicKeyPem']);
      expect(d).toMatchObject({ v: 1, deviceId: 'flat-3', server: 'mqtt://ingest.example:1883' });
      expect(d['secret']).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The key the data folder holds, the one earshot serve signs receipts with.
      expect(d['serverPublicKeyPem']).toMatch(/BEGIN PUBLIC KEY/);
      expect(existsSync(join(dir, 'keys', 'server-key.pem'))).toBe(true);
      const text = await device(storeUrl, 'add', 'flat-4', '--public-key', pub, '--server', 'mqtt://ingest.example:1883', ...dd);
      expect(text.out.slice(0, 2)).toEqual([
        'Device flat-4 added. Its secret is shown this once: keep the line below for `earshot-device provision --details FILE`.',
        'Its public key is pinned.',
      ]);
      expect((JSON.parse(text.out[2]!) as { serverPublicKeyPem: string }).serverPublicKeyPem).toBe(d['serverPublicKeyPem']);
      expect(await failure(device(storeUrl, 'add', 'flat-3', ...dd))).toBe('EARSHOT_E_DEVICE_EXISTS');
      expect(await failure(device(storeUrl, 'add', 'Bad_Id', ...dd))).toBe('EARSHOT_E_DEVICE_ID_INVALID');
      expect(await failure(device(storeUrl, 'disable', 'flat-9', ...dd))).toBe('EARSHOT_E_DEVICE_UNKNOWN');
      const off = await device(storeUrl, 'disable', 'flat-3', ...dd);
      runs[store].push(off.out, (await device(storeUrl, 'list', ...dd)).out, (await device(storeUrl, 'list', '--json', ...dd)).out);
      const on = await device(storeUrl, 'enable', 'flat-3', ...dd);
      runs[store].push(on.out, (await device(storeUrl, 'list', ...dd)).out);
    }
    expect(untimed(runs.pg.flat())).toEqual(untimed(runs.lite.flat()));
    expect(runs.pg[1]).toEqual([
      expect.stringMatching(/^device\s+enabled\s+key\s+added$/),
      expect.stringMatching(/^flat-3\s+DISABLED\s+not pinned\s+\S+Z$/),
      expect.stringMatching(/^flat-4\s+yes\s+pinned\s+\S+Z$/),
    ]);

    // On PostgreSQL: the rows there, and no SQLite file in the data folder.
    expect(existsSync(join(pgDir, 'earshot.db'))).toBe(false);
    const rows = await fx.server().sql(name, 'SELECT id, enabled::int AS enabled, public_key IS NOT NULL AS keyed FROM devices ORDER BY id');
    expect(rows.rows).toEqual([{ id: 'flat-3', enabled: 1, keyed: false }, { id: 'flat-4', enabled: 1, keyed: true }]);
  });

  it('makes the server key for a new installation only, and never a SQLite file', async () => {
    const { url } = await fx.database();
    const empty = await device(url, 'list', '--data-dir', tempDir());
    expect(empty.out).toEqual(['No devices yet: earshot device add <id>']);
    const first = tempDir();
    await device(url, 'add', 'flat-1', '--json', '--data-dir', first);
    const key = readFileSync(join(first, 'keys', 'server-key.pem'), 'utf8');
    // Devices exist: a data folder without the key is the wrong folder, and nothing is added.
    const wrong = tempDir();
    expect(await failure(device(url, 'add', 'flat-2', '--data-dir', wrong))).toBe('EARSHOT_E_SERVER_KEY_INVALID');
    expect(existsSync(join(wrong, 'keys', 'server-key.pem'))).toBe(false);
    expect(existsSync(join(wrong, 'earshot.db'))).toBe(false);
    expect((await device(url, 'list', '--json', '--data-dir', first)).out).toEqual([expect.stringMatching(/^\[\{"device":"flat-1",/)]);
    await device(url, 'add', 'flat-2', '--data-dir', first);
    expect(readFileSync(join(first, 'keys', 'server-key.pem'), 'utf8')).toBe(key);
  });

  it('is allowed on PostgreSQL by the command line, each subcommand of the group', () => {
    const env = { EARSHOT_STORE_URL: 'postgres://u:p@127.0.0.1:5432/db' };
    for (const sub of ['add', 'list', 'disable', 'enable']) expect(() => checkStoreForCommand('device', sub, env)).not.toThrow();
    expect(() => checkStoreForCommand('bundle', 'export', env)).not.toThrow();
    // A command not yet made for PostgreSQL is refused before it opens anything.
    expect(() => checkStoreForCommand('retention', 'run', env)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_STORE_NOT_SUPPORTED' }));
  });

  describe('with an external mosquitto broker', () => {
    let broker: Mosquitto;
    let dir: string;
    let config: string;
    beforeAll(async () => {
      dir = tempDir();
      broker = await mosquitto(dir);
      config = join(dir, 'earshot.json');
      writeFileSync(config, JSON.stringify({ mqtt: { host: '127.0.0.1', port: 0, brokerUrl: broker.url, brokerAccountFile: broker.accountFile }, http: { host: '127.0.0.1', port: 0 } }));
    }, 30_000);
    afterAll(async () => {
      await broker?.stop();
    });

    const connects = async (id: string, secret: string): Promise<boolean> => {
      try {
        const c = await mqtt.connectAsync(broker.url, { clientId: id, username: id, password: secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 }, false);
        await c.endAsync(true);
        return true;
      } catch {
        return false;
      }
    };

    it('makes the account at add, switches it at disable and enable, and takes the add back when the broker refuses', async () => {
      const { url, name } = await fx.database();
      const dd = ['--data-dir', dir, '--config', config];
      const added = await device(url, 'add', 'flat-7', '--json', ...dd);
      const { secret } = JSON.parse(added.out[0]!) as { secret: string };
      expect(await connects('flat-7', secret)).toBe(true);
      const off = await device(url, 'disable', 'flat-7', ...dd);
      expect(off.out).toEqual([
        'Device flat-7 disabled: a running service cuts its connection within a second and refuses it from now on.',
        "The broker's account for flat-7 is disabled.",
      ]);
      expect(await connects('flat-7', secret)).toBe(false);
      expect((await device(url, 'enable', 'flat-7', ...dd)).out).toEqual(['Device flat-7 enabled.', "The broker's account for flat-7 is enabled."]);
      expect(await connects('flat-7', secret)).toBe(true);

      // Another database, the same broker: the account is there already, so the device is not kept.
      const other = await fx.database();
      expect(await failure(device(other.url, 'add', 'flat-7', ...dd))).toBe('EARSHOT_E_BROKER_ACCOUNTS_FAILED');
      expect((await fx.server().sql(other.name, 'SELECT count(*)::int AS n FROM devices')).rows[0]).toEqual({ n: 0 });
      // The ingest's own account name is refused before anything is written.
      expect(await failure(device(url, 'add', broker.account.username, ...dd))).toBe('EARSHOT_E_DEVICE_ID_INVALID');
      expect((await fx.server().sql(name, 'SELECT id FROM devices')).rows).toEqual([{ id: 'flat-7' }]);
    }, 60_000);
  });
});
