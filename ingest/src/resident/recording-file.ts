/**
 * Phone recordings, content-addressed beside the clips (DESIGN §7):
 * clips/<sha256>.<webm|ogg|m4a|wav>, written to a temporary name, fsynced,
 * renamed and the folder fsynced, so a crash leaves the whole file or none
 * (as store/clip-file.ts does for the monitor's clips).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AudioType } from './audio-type.ts';

export interface StoredRecording {
  readonly sha256: string;
  /** Name in the clips folder. */
  readonly file: string;
  readonly path: string;
  readonly bytes: number;
}

export function writeRecording(clipsDir: string, bytes: Buffer, type: AudioType): StoredRecording {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = `${sha256}.${type.ext}`;
  const path = join(clipsDir, file);
  mkdirSync(clipsDir, { recursive: true });
  if (existsSync(path)) return { sha256, file, path, bytes: bytes.length };
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  const dir = openSync(clipsDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return { sha256, file, path, bytes: bytes.length };
}
