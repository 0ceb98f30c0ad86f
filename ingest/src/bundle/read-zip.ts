/**
 * Reads a bundle ZIP for verification (yauzl): every file entry's SHA-256 over
 * its inflated bytes, and the bytes themselves of the small files the checks
 * parse (MANIFEST.sha256, evidence/*). Clips and levels.csv are only hashed,
 * streaming. An entry that cannot be inflated is reported, not thrown: a
 * damaged file is a verification failure, not bad input.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { EarshotError } from '@earshot/shared';

export interface ZipFileEntry {
  readonly name: string;
  /** Hex SHA-256 of the content, or null when it could not be read. */
  readonly sha256: string | null;
  readonly readError?: string;
  /** Content, for the files asked for by `keep`. */
  readonly bytes?: Buffer;
}

export interface ReadZip {
  /** In ZIP order; a name may repeat (a crafted ZIP). */
  readonly entries: readonly ZipFileEntry[];
}

async function hashEntry(stream: Readable, keep: boolean): Promise<{ sha256: string; bytes?: Buffer }> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    if (keep) parts.push(chunk as Buffer);
  }
  return keep ? { sha256: hash.digest('hex'), bytes: Buffer.concat(parts) } : { sha256: hash.digest('hex') };
}

export async function readBundleZip(path: string, keep: (name: string) => boolean): Promise<ReadZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  } catch (e) {
    throw new EarshotError('EARSHOT_E_BUNDLE_NOT_ZIP', `${path}: ${(e as Error).message}`);
  }
  const entries: ZipFileEntry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (name.endsWith('/')) {
          zip.readEntry();
          return;
        }
        zip
          .openReadStreamPromise(entry)
          .then((s) => hashEntry(s, keep(name)))
          .then(
            (r) => entries.push({ name, ...r }),
            (e: Error) => entries.push({ name, sha256: null, readError: e.message }),
          )
          .then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } catch (e) {
    throw new EarshotError('EARSHOT_E_BUNDLE_NOT_ZIP', `${path}: ${(e as Error).message}`);
  } finally {
    zip.close();
  }
  return { entries };
}
