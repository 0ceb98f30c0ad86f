/**
 * One process per folder: `earshot serve` holds its data folder, `earshot-device
 * run` its state folder, `npm start` the demo's. The lock is a file created
 * whole or not at all — the holder's record is written to a private temporary
 * file, then hard-linked into place, which fails with EEXIST when a lock is
 * there (link(2) is atomic, also where O_EXCL is not, e.g. older NFS) — so of
 * two starters exactly one wins.
 *
 * A lock whose holder has gone (crashed, SIGKILL, power cut; or its pid now
 * belongs to an unrelated process, told by its start time: process-identity.ts)
 * is stale and taken over. Taking over is the one step that removes another's
 * file, so it is done only under a second, short-lived guard file (created the
 * same way): the guard's holder reads the lock again, removes it only if it is
 * still the same stale record, and releases the guard; every other starter
 * retries and then finds the new holder. A guard left by a process that died
 * inside that step (microseconds) is itself removed once its holder is gone.
 * Synchronous: taken once at start, before anything else touches the folder.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { EarshotError } from '../errors.ts';
import { type LockRecord, describeHolder, parseLockRecord } from './lock-record.ts';
import { ownStartTicks, processAlive } from './process-identity.ts';

export interface LockOptions {
  /** What the folder is, for the message a second starter sees: "the data folder /var/lib/earshot". */
  what: string;
  /** The holder's command line as a person would type it; default from process.argv. */
  command?: string;
  /** Shown to a second starter (e.g. the demo's web address and data folder). */
  info?: Record<string, string>;
}

export interface ProcessLock {
  readonly path: string;
  readonly record: LockRecord;
  /** Removes the lock if it is still this holder's (idempotent; also done at process exit). */
  release(): void;
}

/** How long a starter keeps retrying while another takes over a stale lock (one guard step takes microseconds). */
const TAKEOVER_WAIT_MS = 2_000;
const RETRY_MS = 10;

/** "earshot serve --data-dir data" from process.argv. */
export function commandLine(argv: readonly string[] = process.argv): string {
  const script = argv[1] === undefined ? basename(argv[0] ?? 'node') : basename(argv[1]).replace(/\.(m?js|ts)$/, '');
  return [script, ...argv.slice(2)].join(' ');
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockError(path: string, e: unknown): EarshotError {
  return new EarshotError('EARSHOT_E_LOCK_FAILED', `${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
}

/** The record in a lock file; 'none' when there is no file, null when it is not a lock record. */
function readRecord(path: string): LockRecord | null | 'none' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw lockError(path, e);
  }
  return parseLockRecord(text);
}

function holderAlive(r: LockRecord, host: string): boolean {
  // Another machine's process (a folder on a network disk) cannot be checked from here: taken as running.
  if (r.host !== host) return true;
  return processAlive(r.pid, r.startTicks);
}

/** Creates `path` holding the bytes of `tmp`, or returns false when a file is there. */
function linkInto(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(path, e);
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Under the guard: removes the lock if it still holds the same stale record.
 * Returns false when the guard is held by another starter (wait and retry).
 */
function takeOver(path: string, tmp: string, stale: LockRecord | null, host: string): boolean {
  const guard = `${path}.takeover`;
  if (!linkInto(tmp, guard)) {
    const g = readRecord(guard);
    // A guard whose holder died inside the step: nobody else will remove it.
    if (g !== 'none' && (g === null || !holderAlive(g, host))) unlinkQuiet(guard);
    return false;
  }
  try {
    const now = readRecord(path);
    const same = now === null ? stale === null : now !== 'none' && stale !== null && now.token === stale.token;
    if (same) unlinkSync(path);
  } catch (e) {
    throw lockError(path, e);
  } finally {
    unlinkQuiet(guard);
  }
  return true;
}

/**
 * Takes the lock at `path` for this process, or throws EARSHOT_E_ALREADY_RUNNING
 * naming the running holder (EARSHOT_E_LOCK_FAILED when the file cannot be
 * written). The lock is released by `release()` or when the process exits.
 */
export function acquireProcessLock(path: string, options: LockOptions): ProcessLock {
  const host = hostname();
  const record: LockRecord = {
    v: 1,
    pid: process.pid,
    startTicks: ownStartTicks(),
    host,
    since: new Date().toISOString(),
    command: options.command ?? commandLine(),
    token: randomBytes(12).toString('hex'),
    ...(options.info === undefined ? {} : { info: options.info }),
  };
  const tmp = `${path}.${process.pid}.${record.token}.tmp`;
  try {
    // Owner-only, as the folders it guards hold private keys (a data or state folder made here first).
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw lockError(path, e);
  }
  try {
    const until = Date.now() + TAKEOVER_WAIT_MS;
    for (;;) {
      if (linkInto(tmp, path)) break;
      const holder = readRecord(path);
      if (holder === 'none') continue; // released meanwhile
      if (holder !== null && holderAlive(holder, host)) {
        throw new EarshotError('EARSHOT_E_ALREADY_RUNNING', `${options.what} is in use by ${describeHolder(holder, host)}; stop it first, or use another folder`);
      }
      if (takeOver(path, tmp, holder, host)) continue;
      if (Date.now() > until) throw new EarshotError('EARSHOT_E_LOCK_FAILED', `${path}: another process is taking over a stale lock and has not finished`);
      sleepSync(RETRY_MS);
    }
  } finally {
    unlinkQuiet(tmp);
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      const now = readRecord(path);
      if (now !== 'none' && now !== null && now.token === record.token) unlinkSync(path);
    } catch {
      // the folder has gone: nothing to release
    }
  };
  process.on('exit', release);
  return { path, record, release };
}

/** The running holder of the lock at `path`, or null when none runs (no lock, or a stale one). */
export function lockHolder(path: string): LockRecord | null {
  const r = readRecord(path);
  if (r === 'none' || r === null) return null;
  return holderAlive(r, hostname()) ? r : null;
}
