/** Finds and reads a WAV file's `bext` chunk (bext.ts) by positional reads, as wav-header.ts walks the chunks; null when it has none. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type BextFields, parseBext } from './bext.ts';
import type { ReadAt } from './wav-header.ts';

/** Largest `bext` body read (the fixed 602 bytes and a generous CodingHistory). */
const MAX_BEXT = 64 * 1024;

export function readBext(readAt: ReadAt, fileSize: number): BextFields | null {
  const head = Buffer.alloc(8);
  for (let pos = 12; pos + 8 <= fileSize; ) {
    if (readAt(head, 8, pos) < 8) return null;
    const id = head.toString('latin1', 0, 4);
    const size = head.readUInt32LE(4);
    if (id === 'bext') {
      const body = Buffer.alloc(Math.min(size, MAX_BEXT, fileSize - pos - 8));
      readAt(body, body.length, pos + 8);
      return parseBext(body);
    }
    // A streamed data chunk of unknown size (0xFFFFFFFF) runs to the end of the file.
    if (id === 'data' && size === 0xffffffff) return null;
    pos += 8 + size + (size & 1);
  }
  return null;
}

/** readBext of a file on disk. */
export function readBextFile(path: string): BextFields | null {
  const fd = openSync(path, 'r');
  try {
    return readBext((target, length, position) => readSync(fd, target, 0, length, position), fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}
