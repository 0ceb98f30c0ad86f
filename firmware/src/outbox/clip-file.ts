/**
 * Clip files on disk: the manifest fields that describe a file (size, SHA-256,
 * chunk count, DESIGN §4) computed by streaming it, and the read of one chunk —
 * a clip is never held in memory whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream, closeSync, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CLIP_CHUNK_BYTES } from '@earshot/shared';
import { readAt } from './segment-files.ts';

export interface ClipFileFacts {
  readonly sha256: string;
  readonly bytes: number;
  readonly chunks: number;
  readonly chunkBytes: number;
}

/** Size, SHA-256 and chunking of a clip file, for its manifest. */
export async function describeClipFile(path: string, chunkBytes = CLIP_CHUNK_BYTES): Promise<ClipFileFacts> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of createReadStream(path, { highWaterMark: chunkBytes })) {
    const b = piece as Buffer;
    hash.update(b);
    bytes += b.length;
  }
  const st = await stat(path);
  if (st.size !== bytes) throw new RangeError(`${path} changed while being read`);
  return { sha256: hash.digest('hex'), bytes, chunks: Math.ceil(bytes / chunkBytes), chunkBytes };
}

/** Chunk `n` of a clip file (the last one may be shorter). */
export function readClipChunk(path: string, n: number, chunkBytes: number, totalBytes: number): Buffer {
  const off = n * chunkBytes;
  const len = Math.min(chunkBytes, totalBytes - off);
  const fd = openSync(path, 'r');
  try {
    return readAt(fd, off, len);
  } finally {
    closeSync(fd);
  }
}
