/** A synthetic case per test (temp folders and databases cleaned up by the evidence helpers), and ZIP rewriting for tamper tests. */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { openEvidenceDb, tempDir } from '../evidence/helpers.ts';
import { type SyntheticCase, type SyntheticOptions, syntheticCase } from './synthetic-case.ts';

export { tempDir };

export function smallCase(o: Partial<Omit<SyntheticOptions, 'dir' | 'db'>> = {}): SyntheticCase & { dir: string } {
  const dir = tempDir();
  const { db } = openEvidenceDb(join(dir, 'earshot.db'));
  return { ...syntheticCase({ dir, db, days: 2, events: 6, clips: 2, levelHours: 1, ...o }), dir };
}

/** Every entry of a ZIP, in order, with its bytes (test-sized ZIPs only). */
export async function readZipEntries(path: string): Promise<{ name: string; bytes: Buffer }[]> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const out: { name: string; bytes: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.on('entry', (entry: yauzl.Entry) => {
      zip
        .openReadStreamPromise(entry)
        .then(async (s) => {
          const parts: Buffer[] = [];
          for await (const c of s) parts.push(c as Buffer);
          out.push({ name: entry.fileName, bytes: Buffer.concat(parts) });
          zip.readEntry();
        })
        .catch(reject);
    });
    zip.readEntry();
  });
  zip.close();
  return out;
}

/** Writes a copy of a ZIP with `edit` applied to each entry's bytes (null drops the entry). */
export async function rewriteZip(src: string, dst: string, edit: (name: string, bytes: Buffer) => Buffer | null): Promise<void> {
  const zip = new ZipFile();
  for (const e of await readZipEntries(src)) {
    const bytes = edit(e.name, e.bytes);
    if (bytes !== null) zip.addBuffer(bytes, e.name);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(dst));
}

export function flipByte(bytes: Buffer, at: number): Buffer {
  const out = Buffer.from(bytes);
  out[at] = out[at]! ^ 0x01;
  return out;
}

