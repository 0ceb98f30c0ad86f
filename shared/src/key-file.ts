/**
 * Private key files, as both the monitor (its device key) and the ingest (its
 * server key) keep them: mode 0600, created whole or not at all, and refused
 * when others can read them (as OpenSSH refuses a private key with open
 * permissions). Synchronous: used once at start or at provisioning.
 */
import { chmodSync, closeSync, fsyncSync, linkSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Owner read/write only. */
export const KEY_FILE_MODE = 0o600;

/**
 * Writes `text` to `path` only if no file is there: into a private temporary
 * file first, synced, then linked into place, so a crash leaves either no file
 * or a whole one. Returns false when the file already existed (another writer
 * won, or it was made before); the existing file is left untouched.
 */
export function createKeyFile(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', KEY_FILE_MODE);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // The umask may have narrowed the mode: make it exact.
  chmodSync(tmp, KEY_FILE_MODE);
  let created = true;
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    created = false;
  } finally {
    unlinkSync(tmp);
  }
  // The new directory entry is durable only once the directory itself is synced (fsync(2)).
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return created;
}

/** Why a key file may not be used: readable or writable by group or others; null when it is owner-only. */
export function keyFileExposure(path: string): string | null {
  const mode = statSync(path).mode & 0o777;
  return (mode & 0o077) === 0 ? null : `${path} has mode ${mode.toString(8)}; run chmod 600 on it`;
}
