/**
 * Content-addressed clip files in the data folder (DESIGN §7): clips/<sha256>.wav,
 * written to a temporary name, fsynced, renamed, and the folder fsynced, so a
 * crash leaves either the whole file or none.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function clipPath(clipsDir: string, sha256: string): string {
  return join(clipsDir, `${sha256}.wav`);
}

/** Writes the parts in order as clips/<sha256>.wav; returns the path. Idempotent: identical content is already there. */
export function writeClipFile(clipsDir: string, sha256: string, parts: readonly Buffer[]): string {
  mkdirSync(clipsDir, { recursive: true });
  const target = clipPath(clipsDir, sha256);
  if (existsSync(target)) return target;
  const tmp = `${target}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
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
  const dir = openSync(clipsDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return target;
}
