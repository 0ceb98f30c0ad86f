/**
 * System-test harness: the real `earshot` and `earshot-device` commands as child
 * processes on real sockets and real data folders (issue 6). Nothing is mocked.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { encodeWav } from '../../firmware/src/audio/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EARSHOT = join(root, 'ingest', 'bin', 'earshot.js');
export const DEVICE = join(root, 'firmware', 'bin', 'earshot-device.js');

/** Rules that fire on the test audio within seconds. */
export const TEST_SETTINGS = {
  mqtt: { host: '127.0.0.1', port: 0 },
  http: { host: '127.0.0.1', port: 0 },
  rules: [{ type: 'impulsive', id: 'impulsive', thresholdDb: 65, mergeGapSeconds: 2 }],
};

export interface Sandbox {
  dir: string;
  dataDir: string;
  settings: string;
  cleanup(): void;
}

export function sandbox(settings: object = TEST_SETTINGS): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-system-'));
  const file = join(dir, 'earshot.json');
  writeFileSync(file, JSON.stringify(settings));
  return { dir, dataDir: join(dir, 'data'), settings: file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a command to completion. */
export function cli(bin: string, args: string[], opts: { cwd: string; input?: string } = { cwd: root }): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd, encoding: 'utf8', input: opts.input ?? '', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

export function cliOk(bin: string, args: string[], opts?: { cwd: string; input?: string }): string {
  const r = cli(bin, args, opts);
  if (r.code !== 0) throw new Error(`${args.slice(0, 2).join(' ')} exited ${r.code}: ${r.err}`);
  return r.out;
}

/** A free TCP port on 127.0.0.1 (to restart a service on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RunningIngest {
  child: ChildProcess;
  mqttPort: number;
  httpUrl: string;
  stderr: () => string;
}

/** Starts `earshot serve` and waits for its "running" line. */
export function startIngest(box: Sandbox, ports: { mqtt?: number; http?: number } = {}): Promise<RunningIngest> {
  const args = [EARSHOT, 'serve', '--data-dir', box.dataDir, '--config', box.settings, '--mqtt-port', String(ports.mqtt ?? 0), '--http-port', String(ports.http ?? 0)];
  const child = spawn(process.execPath, args, { cwd: box.dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EARSHOT_LOG_LEVEL: 'warn' } });
  let err = '';
  child.stderr!.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`earshot serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (c: string) => {
      err += c;
      const m = /devices: mqtts?:\/\/[^:]+:(\d+), officers: (http:\/\/\S+\/)/.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, mqttPort: Number(m[1]), httpUrl: m[2]!, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`earshot serve exited ${code}: ${err}`));
    });
  });
}

export interface LoggingServe {
  child: ChildProcess;
  /** The "running" line's match. */
  match: RegExpExecArray;
  /** Its JSON log (standard output) so far. */
  stdout(): string;
}

/**
 * `earshot serve` with its JSON log kept at info level (to read roles and leases from, and to search for secrets);
 * resolves once standard error has a line matching `running`.
 */
export function startLoggingServe(box: Sandbox, args: readonly string[], running: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<LoggingServe> {
  const child = spawn(process.execPath, [EARSHOT, 'serve', '--data-dir', box.dataDir, '--config', box.settings, ...args], {
    cwd: box.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EARSHOT_LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr!.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`earshot serve did not start: ${err}`)), timeoutMs);
    child.stderr!.on('data', (s: string) => {
      err += s;
      const m = running.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, match: m, stdout: () => out });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`earshot serve exited ${code}: ${err}`));
    });
  });
}

/** Signals a child and waits for it to exit; returns its exit code (null when killed). */
export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Quiet room noise with a door slam every `every` seconds, as a 48 kHz 16-bit WAV. */
export function slamWav(path: string, seconds: number, every: number): void {
  const fs = 48_000;
  const x = new Float64Array(seconds * fs);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = 2e-4 * (s / 1073741824 - 1);
  }
  for (let t = every / 2; t < seconds; t += every) {
    const at = Math.floor(t * fs);
    for (let k = 0; k < 0.3 * fs && at + k < x.length; k++) x[at + k]! += 0.2 * Math.sin((2 * Math.PI * 400 * k) / fs) * Math.exp(-k / (0.05 * fs));
  }
  writeFileSync(path, encodeWav(x, { encoding: 'int', bitsPerSample: 16, sampleRate: fs }));
}

/** Adds a device at the ingest, provisions a monitor for it, and returns its config file. */
export function provisionDevice(box: Sandbox, id: string, mqttPort: number, wav: string): string {
  const details = cliOk(EARSHOT, ['device', 'add', id, '--data-dir', box.dataDir, '--config', box.settings, '--server', `mqtt://127.0.0.1:${mqttPort}`, '--json'], { cwd: box.dir });
  const detailsFile = join(box.dir, `${id}.details.json`);
  writeFileSync(detailsFile, details);
  const config = join(box.dir, `${id}.json`);
  cliOk(DEVICE, ['provision', '--details', detailsFile, '--config', config, '--state-dir', join(box.dir, `${id}-state`), '--capture', `wav:${wav}`], { cwd: box.dir });
  // Short heartbeats so clock and key reach the ingest quickly.
  const c = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
  c['remote'] = { version: 0, rules: [], heartbeatSeconds: 10 };
  writeFileSync(config, JSON.stringify(c, null, 2));
  return config;
}

/** The account cases are assigned to: `case open --officer` names a username. */
export const OFFICER = 'jsmith';
/** Its password, for logging in to the web API. */
export const OFFICER_PASSWORD = 'correct horse battery';

/** Adds the officer account once per data folder. */
export function ensureOfficer(box: Sandbox): void {
  const r = cli(EARSHOT, ['user', 'add', OFFICER, '--data-dir', box.dataDir, '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer', '--password-stdin'], { cwd: box.dir, input: `${OFFICER_PASSWORD}\n` });
  if (r.code !== 0 && !r.err.includes('EARSHOT_E_USER_EXISTS')) throw new Error(`user add exited ${r.code}: ${r.err}`);
}

/** Opens a case with the device deployed from now. Returns the case reference. */
export function openCaseWithDeployment(box: Sandbox, deviceId: string, category: 'high-risk' | 'general' = 'general'): string {
  ensureOfficer(box);
  const opened = cliOk(EARSHOT, ['case', 'open', '--data-dir', box.dataDir, '--category', category, '--officer', OFFICER, '--address', '1 Test Road, Leeds'], { cwd: box.dir });
  const ref = /Case (\S+) opened/.exec(opened)![1]!;
  cliOk(EARSHOT, ['deploy', 'start', '--data-dir', box.dataDir, '--case', ref, '--device', deviceId, '--installed-by', 'Jo Smith', '--reading', '94.0', '--full-scale-db', '120'], { cwd: box.dir });
  return ref;
}

export function startDevice(config: string, cwd: string): ChildProcess {
  return spawn(process.execPath, [DEVICE, 'run', '--config', config], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EARSHOT_LOG_LEVEL: 'warn' } });
}

/** Reads the ingest database (read-only, a second connection beside the service's). */
export function query<T>(box: Sandbox, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(box.dataDir, 'earshot.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Polls `check` until it returns a value (not undefined/false) or the time runs out. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 45_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined | false;
    try {
      v = check();
    } catch {
      v = undefined;
    }
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
