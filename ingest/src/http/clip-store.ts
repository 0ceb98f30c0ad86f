/**
 * Where the web view reads a stored clip's bytes (DESIGN §7): the data folder's clips/ on the embedded
 * store, the clip_files table on PostgreSQL (storage/postgres/schema/clip-files.ts), which every process
 * of a fleet reaches. File names are content-addressed (`<sha256>.wav`) on both.
 */
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { get } from '../storage/record/steps.ts';
import type { RecordStore } from '../storage/record/steps.ts';

export interface ClipBytes {
  /** The stored file's size, or null when it is missing. */
  size(file: string): Promise<number | null>;
  /** Bytes start…end (inclusive) of the stored file. */
  open(file: string, start: number, end: number): Promise<Readable | Buffer>;
}

/** The embedded store's clips folder. */
export function clipsFolder(clipsDir: string): ClipBytes {
  return {
    async size(file) {
      try {
        return statSync(resolve(clipsDir, file)).size;
      } catch {
        return null;
      }
    },
    open: async (file, start, end) => createReadStream(resolve(clipsDir, file), { start, end }),
  };
}

/** PostgreSQL's clip_files, through the record port; a range is cut in the database (substr counts from 1). */
export function clipFilesTable(record: RecordStore): ClipBytes {
  return {
    size: async (file) => (await record.read(get<{ bytes: number }>('SELECT bytes FROM clip_files WHERE file = ?', file)))?.bytes ?? null,
    async open(file, start, end) {
      const r = await record.read(get<{ data: Buffer }>('SELECT substr(data, CAST(? AS integer), CAST(? AS integer)) AS data FROM clip_files WHERE file = ?', start + 1, end - start + 1, file));
      return r?.data ?? Buffer.alloc(0);
    },
  };
}
