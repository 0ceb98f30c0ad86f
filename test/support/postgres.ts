/**
 * A real PostgreSQL for tests: Debian's `postgresql` package (`.ci/run` installs
 * it), a fresh cluster in a temporary folder on a free port, one per test file,
 * and a fresh database per test (`createDatabase`). No mocks of the database.
 *
 * initdb and postgres refuse to run as root ("cannot be run as root"), and CI
 * runs as root. As root the server is started through `setpriv` as the
 * unprivileged `postgres` account the Debian package creates (else `nobody`):
 * setpriv (util-linux) both drops to that uid/gid with no supplementary groups
 * and sets the parent-death signal, so a test worker that is killed takes its
 * server with it (SIGQUIT: immediate shutdown) instead of leaving a postmaster
 * running. The server is not daemonised (no pg_ctl): it is a child of the test
 * process, stopped with SIGINT (fast shutdown) in `stop()`, and its folder removed.
 *
 * Password authentication (scram-sha-256) over TCP, so tests can present wrong
 * credentials; fsync is off unless asked for (the database server itself is never killed in tests).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** The superuser's name and password. */
  readonly user: string;
  readonly password: string;
  /** A postgres:// URL for a database (default: the maintenance database "postgres"). */
  url(database?: string, user?: string, password?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL as the superuser in a database. */
  sql(database: string, text: string, values?: readonly unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

/** Where Debian's PostgreSQL programs are (initdb, pg_dump, pg_restore, …), newest version first. */
export function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const v = versions.find((x) => existsSync(join(root, x, 'bin', 'initdb')));
  if (v === undefined) throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run installs it)');
  return join(root, v, 'bin');
}

/** The unprivileged account to run as when we are root. */
function account(): { uid: number; gid: number; name: string } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (r.status === 0 && g.status === 0) return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()), name };
  }
  throw new Error('running as root and no unprivileged account (postgres, nobody) to run PostgreSQL as');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** argv prefix that runs a program as `who` (setpriv), dying with its parent. */
function asUser(who: ReturnType<typeof account>, program: string, args: string[]): [string, string[]] {
  if (who === null) return ['setpriv', ['--pdeathsig', 'SIGQUIT', program, ...args]];
  return ['setpriv', ['--reuid', String(who.uid), '--regid', String(who.gid), '--clear-groups', '--pdeathsig', 'SIGQUIT', program, ...args]];
}

async function waitReady(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${readFileSync(log, 'utf8').slice(-2000)}`);
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface StartOptions {
  /** fsync at commit (default false: tests never kill the database server; benchmarks measure with it on). */
  readonly fsync?: boolean;
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const bin = binDir();
  const who = account();
  const root = mkdtempSync(join(tmpdir(), 'earshot-pg-'));
  const data = join(root, 'data');
  const user = 'earshot_admin';
  const password = randomBytes(12).toString('hex');
  const pwfile = join(root, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (who !== null) {
    chownSync(root, who.uid, who.gid);
    chownSync(pwfile, who.uid, who.gid);
  }
  chmodSync(root, 0o700);
  const [initProg, initArgs] = asUser(who, join(bin, 'initdb'), ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '-N']);
  const init = spawnSync(initProg, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const log = join(root, 'postgres.log');
  const host = '127.0.0.1';
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const out = openSync(log, 'a');
    const [prog, args] = asUser(who, join(bin, 'postgres'), ['-D', data, '-p', String(port), '-c', `listen_addresses=${host}`, '-c', `unix_socket_directories=${root}`, '-c', `fsync=${options.fsync === true ? 'on' : 'off'}`, '-c', 'max_connections=60']);
    const child = spawn(prog, args, { stdio: ['ignore', out, out] });
    const url = (database = 'postgres', u = user, p = password): string => `postgres://${encodeURIComponent(u)}:${encodeURIComponent(p)}@${host}:${port}/${encodeURIComponent(database)}`;
    try {
      await waitReady(url(), child, log);
    } catch (e) {
      child.kill('SIGKILL');
      if (attempt < 2 && /could not bind|in use/.test(readFileSync(log, 'utf8'))) continue;
      rmSync(root, { recursive: true, force: true });
      throw e;
    }
    let n = 0;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const sql = async (database: string, text: string, values?: readonly unknown[]): Promise<pg.QueryResult> => {
      const c = new pg.Client({ connectionString: url(database) });
      await c.connect();
      try {
        return await c.query(text, values === undefined ? undefined : [...values]);
      } finally {
        await c.end();
      }
    };
    return {
      host,
      port,
      user,
      password,
      url,
      sql,
      async createDatabase(name = `t${process.pid}_${++n}`) {
        await sql('postgres', `CREATE DATABASE "${name}"`);
        return url(name);
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGINT');
          const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(t);
        }
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
}
