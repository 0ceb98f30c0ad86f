/**
 * Reads a bundle ZIP for verification (yauzl): every file entry's SHA-256 over
 * its inflated bytes, and the bytes themselves of the small files the checks
 * parse (MANIFEST.sha256, evidence/*). Clips and levels.csv are only hashed,
 * streaming. An entry that cannot be inflated is reported, not thrown: a
 * damaged file is a verification failure, not bad input.
 *
 * Bounded (issue 11: a 1.5 MB crafted ZIP made verify hold 3.25 GB): the entry
 * count, each entry's and the whole's inflated size, declared (central
 * directory) and actual (counted while streaming; yauzl's validateEntrySizes
 * also fails an entry that inflates past its declared size), the bytes held for
 * the kept files, and the inflation ratio. Past a bound the ZIP is refused
 * whole with EARSHOT_E_BUNDLE_TOO_LARGE naming the entry: no real bundle comes
 * near them.
 */
import { createHash } from 'node:crypto';
import { type Readable, pipeline } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
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

export interface ZipLimits {
  /** A bundle holds its PDF, three CSVs, six evidence files and one WAV per exhibit. */
  readonly maxEntries: number;
  /** Inflated bytes of one entry (levels.csv of years of 1 s records is a few GB). */
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  /** Bytes held in memory for the kept files (MANIFEST.sha256 and evidence/*) together. */
  readonly maxKeptBytes: number;
  /** Inflated ÷ stored size, checked for entries past `ratioFloorBytes`: CSV and JSON deflate 5–20×, WAVs are stored. */
  readonly maxRatio: number;
  readonly ratioFloorBytes: number;
}

const GIB = 1024 ** 3;
export const ZIP_LIMITS: ZipLimits = {
  maxEntries: 100_000,
  maxEntryBytes: 64 * GIB,
  maxTotalBytes: 64 * GIB,
  maxKeptBytes: 256 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

class TooLarge extends Error {}

/**
 * Output buffer of an entry's inflater. yauzl inflates with zlib's default 16 kB, each 16 kB of output one trip
 * through the thread pool and the stream machinery; a month's CSV files are over a GB (as the writer's
 * compressor, zip-deflate.ts).
 */
const INFLATE_CHUNK_BYTES = 1 << 20;

/**
 * An entry's content: a deflated one read raw from yauzl and inflated here with a wide output buffer, its size
 * held to the declared one by hashEntry (as yauzl's validateEntrySizes would); any other as yauzl gives it.
 */
async function openContent(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<{ stream: Readable; declared: number | null }> {
  if (entry.compressionMethod !== 8 || entry.isEncrypted()) return { stream: await zip.openReadStreamPromise(entry), declared: null };
  const raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
  const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
  pipeline(raw, inflate, () => undefined); // an error reaches the reader through `inflate`
  return { stream: inflate, declared: entry.uncompressedSize };
}

export interface ReadZip {
  /** In ZIP order; a name may repeat (a crafted ZIP). */
  readonly entries: readonly ZipFileEntry[];
}

interface Budget {
  total: number;
  kept: number;
}

async function hashEntry(stream: Readable, declared: number | null, name: string, keep: boolean, limits: ZipLimits, budget: Budget): Promise<{ sha256: string; bytes?: Buffer }> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    bytes += b.length;
    budget.total += b.length;
    if (declared !== null && bytes > declared) throw new Error(`too many bytes in the stream: ${name} inflates past the ${declared} bytes it declares`);
    if (bytes > limits.maxEntryBytes) throw new TooLarge(`${name} inflates past ${limits.maxEntryBytes} bytes`);
    if (budget.total > limits.maxTotalBytes) throw new TooLarge(`${name}: the ZIP inflates past ${limits.maxTotalBytes} bytes in all`);
    hash.update(b);
    if (keep) {
      budget.kept += b.length;
      if (budget.kept > limits.maxKeptBytes) throw new TooLarge(`${name}: the manifest and evidence files inflate past ${limits.maxKeptBytes} bytes`);
      parts.push(b);
    }
  }
  if (declared !== null && bytes < declared) throw new Error(`too few bytes in the stream: ${name} inflates to ${bytes} of the ${declared} bytes it declares`);
  return keep ? { sha256: hash.digest('hex'), bytes: Buffer.concat(parts) } : { sha256: hash.digest('hex') };
}

/** Refuses an entry from its central directory record alone, before inflating it. */
function declaredProblem(entry: yauzl.Entry, keep: boolean, limits: ZipLimits, budget: Budget): string | null {
  const size = entry.uncompressedSize;
  if (size > limits.maxEntryBytes) return `${entry.fileName} declares ${size} bytes (limit ${limits.maxEntryBytes})`;
  if (budget.total + size > limits.maxTotalBytes) return `${entry.fileName}: the ZIP declares over ${limits.maxTotalBytes} bytes in all`;
  if (keep && budget.kept + size > limits.maxKeptBytes) return `${entry.fileName} declares ${size} bytes; the manifest and evidence files may hold ${limits.maxKeptBytes} together`;
  if (size > limits.ratioFloorBytes && size > limits.maxRatio * Math.max(1, entry.compressedSize)) {
    return `${entry.fileName} would inflate ${Math.round(size / Math.max(1, entry.compressedSize))}× (${entry.compressedSize} → ${size} bytes; limit ${limits.maxRatio}×)`;
  }
  return null;
}

export async function readBundleZip(path: string, keep: (name: string) => boolean, limitsIn: Partial<ZipLimits> = {}): Promise<ReadZip> {
  const limits: ZipLimits = { ...ZIP_LIMITS, ...limitsIn };
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  } catch (e) {
    throw new EarshotError('EARSHOT_E_BUNDLE_NOT_ZIP', `${path}: ${(e as Error).message}`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new EarshotError('EARSHOT_E_BUNDLE_TOO_LARGE', `${path}: ${zip.entryCount} entries (limit ${limits.maxEntries})`);
  }
  const entries: ZipFileEntry[] = [];
  const budget: Budget = { total: 0, kept: 0 };
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
        const kept = keep(name);
        const problem = declaredProblem(entry, kept, limits, budget);
        if (problem !== null) {
          reject(new TooLarge(problem));
          return;
        }
        openContent(zip, entry)
          .then(({ stream, declared }) => hashEntry(stream, declared, name, kept, limits, budget).finally(() => stream.destroy()))
          .then(
            (r) => entries.push({ name, ...r }),
            (e: Error) => {
              if (e instanceof TooLarge) throw e;
              entries.push({ name, sha256: null, readError: e.message });
            },
          )
          .then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } catch (e) {
    if (e instanceof TooLarge) throw new EarshotError('EARSHOT_E_BUNDLE_TOO_LARGE', `${path}: ${e.message}`);
    throw new EarshotError('EARSHOT_E_BUNDLE_NOT_ZIP', `${path}: ${(e as Error).message}`);
  } finally {
    zip.close();
  }
  return { entries };
}
