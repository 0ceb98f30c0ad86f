/**
 * Content-addressed clip files in the data folder (DESIGN §7): clips/<sha256>.wav,
 * written to a temporary name, fsynced, renamed, and the folder fsynced, so a
 * crash leaves either the whole file or none. A write that fails (the disk
 * full) removes its temporary file; temporaries a crashed writer left behind
 * are removed at start (removeStaleTemporaries).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function clipPath(clipsDir: string, sha256: string): string {
  return join(clipsDir, `${sha256}.wav`);
}

/** `<sha256>.<wav|webm|ogg|m4a>.<pid of the writer>.tmp`: a clip's or a phone recording's. */
const TEMPORARY = /^[0-9a-f]{64}\.(?:wav|webm|ogg|m4a)\.(\d+)\.tmp$/;

/** A writer fsyncs and renames within seconds; a temporary this old is abandoned whoever wrote it (e.g. another host sharing the folder). */
export const STALE_TEMPORARY_MS = 10 * 60_000;

/** Writes the parts in order as clips/<sha256>.wav; returns the path. Idempotent: identical content is already there. */
export function writeClipFile(clipsDir: string, sha256: string, parts: readonly Buffer[]): string {
  return writeContentFile(clipsDir, `${sha256}.wav`, parts);
}

/**
 * Writes a content-addressed file (`<sha256>.<ext>`) whole or not at all:
 * temporary name, fsync, rename, folder fsync. The monitor's clips and the
 * residents' phone recordings are both kept this way.
 */
export function writeContentFile(dir: string, name: string, parts: readonly Buffer[]): string {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, name);
  if (existsSync(target)) return target;
  const tmp = `${target}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    try {
      for (const p of parts) {
        let off = 0;
        while (off < p.length) off += writeSync(fd, p, off, p.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    // ENOSPC and the like: no half-written temporary stays behind to fill the disk further.
    rmSync(tmp, { force: true });
    throw e;
  }
  const folder = openSync(dir, 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
  return target;
}

/** True when a process with this id runs on this host (signal 0 only checks; EPERM: it runs as someone else). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary clip files no writer will finish: those of a process
 * that no longer runs, and any older than STALE_TEMPORARY_MS. Returns their names.
 */
export function removeStaleTemporaries(clipsDir: string, now: number = Date.now(), runs: (pid: number) => boolean = processRuns): string[] {
  if (!existsSync(clipsDir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(clipsDir)) {
    const m = TEMPORARY.exec(name);
    if (m === null) continue;
    const path = join(clipsDir, name);
    const pid = Number(m[1]);
    let old: boolean;
    try {
      old = now - statSync(path).mtimeMs > STALE_TEMPORARY_MS;
    } catch {
      continue; // gone meanwhile
    }
    if (pid !== process.pid && !old && runs(pid)) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return removed;
}
