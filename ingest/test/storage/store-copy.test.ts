/**
 * `earshot store copy` and `earshot log verify` on PostgreSQL, as an
 * administrator runs them: real child processes, a real data folder made by
 * the earshot command itself, a real PostgreSQL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarshotError } from '@earshot/shared';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { openPostgres } from '../../src/storage/postgres/connect.ts';
import { type PostgresTarget, parseStoreUrl } from '../../src/storage/store-url.ts';
import { binDir } from '../../../test/support/postgres.ts';
import { usePostgres } from './pg-fixture.ts';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot.js');
const fx = usePostgres();

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function run(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e['EARSHOT_STORE_URL'];
  delete e['EARSHOT_DATA_DIR'];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) e[k] = v;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

/** A config file naming the store (DESIGN §8). */
function storeConfig(dir: string, file: string, url: string): string {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ store: { url } }));
  return path;
}

const CLIPS = [Buffer.from('RIFF clip one'), Buffer.from('RIFF clip two, longer'), Buffer.alloc(70_000, 7)];

/** An embedded installation made the way an administrator makes one, plus levels and clip files. */
async function makeInstallation(dir: string): Promise<void> {
  const dd = ['--data-dir', dir];
  for (const args of [
    ['device', 'add', 'flat-1-monitor'],
    ['user', 'add', 'jsmith', '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer', ...dd],
  ]) {
    const r = await run(args[0] === 'device' ? [...args, ...dd] : args);
    expect(r.err).toBe('');
  }
  const opened = await run(['case', 'open', '--category', 'high-risk', '--officer', 'jsmith', '--address', '12 Test Street', '--complainant-name', 'A Resident', '--complainant-contact', '07700 900000', ...dd]);
  expect(opened.code).toBe(0);
  const ref = /Case (\S+) opened/.exec(opened.out)![1]!;
  expect((await run(['diary', 'add', '--case', ref, '--started', '2026-03-01 23:40', '--heard', 'Bass music through the wall', '--effect', 'Could not sleep', ...dd])).code).toBe(0);
  expect((await run(['log', 'head', ...dd])).code).toBe(0);
  const db = new Database(join(dir, 'earshot.db'));
  // Through the levels writer, as the service stores them: it keeps the rollups (timeline/rollup-batch.ts).
  const levels = createLevelsWriter(db);
  db.transaction(() => {
    for (let i = 0; i < 2500; i++) {
      levels.write('flat-1-monitor', i, { fullScaleDb: 120, records: [{ t: new Date(1_772_400_000_000 + i * 1000).toISOString(), d: 1, LAeq: 30 + (i % 25), LCeq: null, LZeq: null, LAFmax: 50 + (i % 9), LAFmin: 20 + (i % 4), LASmax: null, LCpeak: null }] });
    }
  })();
  db.prepare("INSERT INTO quarantine (received_at, topic, code, detail, raw) VALUES (1, 'earshot/v1/x/levels', 'EARSHOT_E_ENVELOPE_INVALID', 'not JSON', x'00ff')").run();
  db.close();
  for (const c of CLIPS) writeFileSync(join(dir, 'clips', `${createHash('sha256').update(c).digest('hex')}.wav`), c);
  writeFileSync(join(dir, 'clips', '.partial-123.tmp'), 'not a clip');
}

describe('earshot store copy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'earshot-install-'));
    await makeInstallation(dir);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies every table and clip, checks each, and then log verify holds on PostgreSQL as on SQLite', async () => {
    const { url, name } = await fx.database();
    const r = await run(['store', 'copy', '--from', dir, '--to', url]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('OK   ')).length).toBe(1);
    expect(lines).toContain('OK   table levels: 2500 rows in SQLite, 2500 in PostgreSQL');
    expect(lines).toContain('OK   table cases: 1 rows in SQLite, 1 in PostgreSQL');
    expect(lines).toContain(`OK   clips: ${CLIPS.length} files, each one's SHA-256 in PostgreSQL equal to its name`);
    expect(lines.find((l) => l.startsWith('OK   evidence log: '))).toMatch(/^OK {3}evidence log: (\d+) leaves, root ([0-9a-f]{64}) in SQLite; \1 leaves, root \2 in PostgreSQL$/);
    expect(lines.at(-1)).toMatch(new RegExp(`^Copied \\d+ rows and 3 clips from .* to postgres://earshot_admin:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/${name}; every check holds\\.$`));
    expect(r.out).not.toContain(fx.server().password);
    // Every SQLite table has its line.
    const tables = new Database(join(dir, 'earshot.db'), { readonly: true }).prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'").get() as { n: number };
    expect(lines.filter((l) => l.startsWith('OK   table ')).length).toBe(tables.n);

    // The rollups came across as they were, not counted twice by the trigger.
    const roll = await fx.server().sql(name, 'SELECT sum(records)::int AS n FROM levels_1m');
    expect(roll.rows[0]).toEqual({ n: 2500 });
    // New rows take ids after the copied ones.
    await fx.server().sql(name, "INSERT INTO quarantine (received_at, topic, code, detail, raw) VALUES (2, 't', 'c', 'd', '\\x00')");

    const lite = await run(['log', 'verify', '--data-dir', dir]);
    const post = await run(['log', 'verify', '--data-dir', dir], { EARSHOT_STORE_URL: url });
    expect(lite.code).toBe(0);
    expect(post.err).toBe('');
    expect(post.code).toBe(0);
    expect(post.out).toBe(lite.out);
    expect(post.out).toMatch(/^OK: \d+ leaves and 1 signed tree heads verified\.\n$/);
    // A head signed on PostgreSQL with the same key verifies too.
    expect((await run(['log', 'head', '--data-dir', dir], { EARSHOT_STORE_URL: url })).code).toBe(0);
    expect((await run(['log', 'verify', '--data-dir', dir], { EARSHOT_STORE_URL: url })).out).toMatch(/and 2 signed tree heads verified/);

    // A second copy into the same database is refused, and changes nothing.
    const again = await run(['store', 'copy', '--from', dir, '--to', url]);
    expect(again.code).toBe(2);
    expect(again.out).toBe('');
    expect(again.err).toMatch(/^earshot: EARSHOT_E_STORE_TARGET_NOT_EMPTY: the target database already holds data: .* hold rows; copy into an empty database \(nothing was copied\)\n$/);
    expect((await fx.server().sql(name, 'SELECT count(*)::int AS n FROM levels')).rows[0]).toEqual({ n: 2500 });

    // The README's backup and restore: pg_dump, pg_restore into an empty database, and the log still verifies.
    const dump = join(fx.tempDir(), 'earshot.dump');
    const dumped = spawnSync(join(binDir(), 'pg_dump'), ['--format=custom', '--file', dump, url], { encoding: 'utf8' });
    expect(dumped.stderr).toBe('');
    const restored = await fx.database();
    const r2 = spawnSync(join(binDir(), 'pg_restore'), ['--no-owner', '--dbname', restored.url, dump], { encoding: 'utf8' });
    expect(r2.stderr).toBe('');
    expect(r2.status).toBe(0);
    const after = await run(['log', 'verify', '--data-dir', dir], { EARSHOT_STORE_URL: restored.url });
    expect(after.out).toMatch(/and 2 signed tree heads verified/);
    expect((await fx.server().sql(restored.name, 'SELECT sum(records)::int AS n FROM levels_1m')).rows[0]).toEqual({ n: 2500 });
    expect((await fx.server().sql(restored.name, 'SELECT count(*)::int AS n FROM clip_files')).rows[0]).toEqual({ n: CLIPS.length });
  }, 180_000);

  it('keeps nothing when a check fails: a damaged clip in the source', async () => {
    const { url, name } = await fx.database();
    const bad = fx.tempDir();
    cpSync(dir, bad, { recursive: true });
    const sha = createHash('sha256').update('what the clip was').digest('hex');
    writeFileSync(join(bad, 'clips', `${sha}.wav`), 'what the clip became');
    const r = await run(['store', 'copy', '--from', bad, '--to', url]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^FAIL clips: 1 of 4 files differ: ${sha}\\.wav hashes to [0-9a-f]{64} in the source$`, 'm'));
    expect(r.err).toMatch(/^earshot: EARSHOT_E_STORE_COPY_MISMATCH: the copy does not match its source: 1 of \d+ checks failed; nothing was kept in postgres:\/\/earshot_admin:\*\*\*@/);
    expect((await fx.server().sql(name, 'SELECT count(*)::int AS n FROM levels')).rows[0]).toEqual({ n: 0 });
  }, 120_000);
});

describe('a wrong store: one line, a stable code, exit 2', () => {
  it('names what is wrong with the URL, the server, the credentials, the database or its schema', async () => {
    const s = fx.server();
    const { url, name, target } = await fx.database();
    const dir = fx.tempDir();
    // In one process: each failure to open is its own code and one sentence, never the password.
    const cases: [string, string, RegExp][] = [
      [`postgres://x:secret@127.0.0.1:1/${name}`, 'EARSHOT_E_STORE_UNREACHABLE', /^cannot reach the database: nothing answered as PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\); check the host, the port and that the server is running$/],
      [s.url(name, s.user, 'secret'), 'EARSHOT_E_STORE_AUTH_FAILED', /^the database refused the credentials: postgres:\/\/earshot_admin:\*\*\*@127\.0\.0\.1:\d+\/\w+ \(.*\); check the user name and password in the URL$/],
      [s.url('no_such_db'), 'EARSHOT_E_STORE_DATABASE_MISSING', /^no such database on the server: database "no_such_db" does not exist at 127\.0\.0\.1:\d+; create it first \(createdb no_such_db\)$/],
    ];
    for (const [u, code, message] of cases) {
      const e = await openPostgres(parseStoreUrl(u) as PostgresTarget).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(EarshotError);
      expect({ code: (e as EarshotError).code, message: (e as EarshotError).message }).toMatchObject({ code, message: expect.stringMatching(message) });
      expect((e as EarshotError).message).not.toContain('secret');
    }
    const pool = await fx.pool(target);
    await pool.query('UPDATE schema_version SET version = version + 5');

    // Through the command: exit 2 and one line on standard error.
    const runs: [Record<string, string>, string[], RegExp][] = [
      [{ EARSHOT_STORE_URL: 'mysql://u:secret@h/db' }, ['case', 'list'], /^earshot: EARSHOT_E_STORE_URL_INVALID: EARSHOT_STORE_URL is not a store address: EARSHOT_STORE_URL=mysql:\/\/u:\*\*\*@h\/db has the scheme "mysql"; only postgres:\/\/ is supported \(unset it for the embedded SQLite store\)\n$/],
      [{ EARSHOT_STORE_URL: url }, ['case', 'list'], /^earshot: EARSHOT_E_STORE_SCHEMA_NEWER: the database was set up by a newer Earshot/],
      // serve runs on PostgreSQL, and never starts half-connected: a newer schema stops it before anything is opened.
      [{ EARSHOT_STORE_URL: url }, ['serve', '--data-dir', dir], /^earshot: EARSHOT_E_STORE_SCHEMA_NEWER: the database was set up by a newer Earshot/],
      // The config file's "store": {"url"} (DESIGN §8) is checked as the variable is, and named in the message.
      [{}, ['serve', '--data-dir', dir, '--config', storeConfig(dir, 'pg-store.json', url)], /^earshot: EARSHOT_E_STORE_SCHEMA_NEWER: the database was set up by a newer Earshot/],
      [{}, ['serve', '--data-dir', dir, '--config', storeConfig(dir, 'bad-store.json', 'sqlite://u:secret@h/db')], /^earshot: EARSHOT_E_STORE_URL_INVALID: .*"store\.url" in .*bad-store\.json=sqlite:\/\/u:\*\*\*@h\/db has the scheme "sqlite"/],
      [{ EARSHOT_STORE_URL: `postgres://x:secret@127.0.0.1:1/${name}` }, ['log', 'verify', '--data-dir', dir], /^earshot: EARSHOT_E_STORE_UNREACHABLE: cannot reach the database: nothing answered as PostgreSQL at 127\.0\.0\.1:1 /],
      [{ EARSHOT_STORE_URL: url }, ['log', 'verify', '--data-dir', dir], /^earshot: EARSHOT_E_STORE_SCHEMA_NEWER: the database was set up by a newer Earshot: its schema is version \d+, this Earshot knows version \d+; upgrade Earshot before using this database\n$/],
    ];
    for (const [env, args, want] of runs) {
      const r = await run(args, env);
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code: 2, out: '' });
      expect(r.err).toMatch(want);
      expect(r.err).not.toContain('secret');
    }
  }, 120_000);
});

describe('EARSHOT_STORE_URL', () => {
  it('is SQLite when unset or empty, PostgreSQL for postgres:// and postgresql://, refused otherwise', () => {
    expect(parseStoreUrl(undefined)).toEqual({ kind: 'sqlite' });
    expect(parseStoreUrl('  ')).toEqual({ kind: 'sqlite' });
    expect(parseStoreUrl('postgres://ingest:p%40ss@db.example.org/earshot')).toEqual({ kind: 'postgres', url: 'postgres://ingest:p%40ss@db.example.org/earshot', display: 'postgres://ingest:***@db.example.org/earshot', host: 'db.example.org', port: 5432, database: 'earshot' });
    expect(parseStoreUrl('postgresql://u@10.0.0.5:6432/e?sslmode=require')).toMatchObject({ kind: 'postgres', port: 6432, database: 'e', display: 'postgresql://u@10.0.0.5:6432/e?sslmode=require' });
    for (const [bad, why] of [
      ['earshot.db', /does not parse as a URL/],
      ['sqlite:///var/lib/earshot/earshot.db', /scheme "sqlite"/],
      ['postgres://u:pw@h:99999/db', /does not parse/],
      ['postgres://u:pw@h:0/db', /port 0/],
      ['postgres://u:pw@h', /names no database/],
      ['postgres:///db', /names no host/],
    ] as const) {
      expect(() => parseStoreUrl(bad), bad).toThrow(expect.objectContaining({ code: 'EARSHOT_E_STORE_URL_INVALID', message: expect.stringMatching(why) }));
      expect(() => parseStoreUrl(bad)).not.toThrow(/pw/);
    }
  });
});
