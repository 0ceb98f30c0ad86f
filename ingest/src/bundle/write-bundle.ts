/**
 * Writes a court bundle ZIP (DESIGN §6) into a folder, streaming: each file is
 * produced when the ZIP reaches it, hashed on its way in, and MANIFEST.sha256 is
 * added last from those hashes. Nothing holds the whole ZIP (or levels.csv) in
 * memory. The ZIP is written to a temporary name and renamed when complete, so
 * a half-written bundle never carries the final name.
 *
 * Steps: validate the model → number the exhibits → check the clips are
 * readable → stream the entries (PDF, exhibits, data, evidence) → manifest →
 * check each clip matched its recorded SHA-256 → rename.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, finished, pipeline } from 'node:stream';
import { ZipFile } from 'yazl';
import { EarshotError } from '@earshot/shared';
import { EVIDENCE_FILES, encodeBundleEvidence } from '../evidence/index.ts';
import { diaryCsv, eventsCsv, levelsCsv, nightsCsv } from './csv.ts';
import { markCsv, markCsvChunks } from './demonstration.ts';
import { type Exhibit, assignExhibits, assignRecordingExhibits } from './exhibits.ts';
import { bundleFileName } from './file-name.ts';
import { HashingStream } from './hashing-stream.ts';
import { MANIFEST_FILE, type ManifestEntry, formatManifest } from './manifest.ts';
import { type BundleSource, parseBundleModel } from './model.ts';
import { renderBundlePdf } from './pdf/render-pdf.ts';
import { bandsCsvEntry } from './bands-csv-entry.ts';
import { useZlibCrc32 } from './zip-crc32.ts';
import { withWideDeflate } from './zip-deflate.ts';

export const BUNDLE_PDF = 'bundle.pdf';
export const DATA_FILES = { levels: 'data/levels.csv', events: 'data/events.csv', diary: 'data/diary.csv', nights: 'data/nights.csv' } as const;

export interface BundleProgress {
  /** The file being written. */
  readonly file: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Estimated share of the work done, 0 … 1 (1 only when the ZIP is complete). */
  readonly fraction: number;
}

export interface WriteBundleOptions {
  readonly outDir: string;
  /** Exhibit initials (e.g. JS); default: the officer's initials in the model. */
  readonly initials?: string;
  readonly onProgress?: (p: BundleProgress) => void;
  /** zlib level for data/levels.csv: 1 (default) keeps a month's export fast; text still shrinks ~5×. */
  readonly levelsCompressionLevel?: number;
}

export interface WrittenBundle {
  readonly path: string;
  readonly fileName: string;
  readonly bytes: number;
  /** In ZIP order, MANIFEST.sha256 excluded. */
  readonly manifest: readonly ManifestEntry[];
  readonly exhibits: readonly Exhibit[];
}

interface PlannedEntry {
  readonly path: string;
  /** Estimated bytes, for progress. */
  readonly estimate: number;
  /** 0 = store (WAV barely compresses). */
  readonly compressionLevel: number;
  open(): Readable;
}

/** Rough sizes for progress: a levels.csv row, a chart page. */
const CSV_ROW_BYTES = 95;
const PDF_BYTES_PER_CHART = 40_000;

export async function writeBundle(source: BundleSource, options: WriteBundleOptions): Promise<WrittenBundle> {
  const model = parseBundleModel(source.model);
  const exhibits = assignExhibits(model.exhibits, options.initials ?? model.case.officer.initials);
  const clipSizes = exhibits.map((e) => clipSize(e.clip.path));
  // Issue 13: the resident's phone recordings, exhibits after the clips.
  const recordings = assignRecordingExhibits(model.phoneRecordings ?? [], options.initials ?? model.case.officer.initials, exhibits.length);
  const fileName = bundleFileName(model.case.ref, model.period.from, model.period.to);
  const evidence = encodeBundleEvidence(model.evidence.leaves, model.evidence.sth, model.evidence.publicKeyPem);
  const buffer = (path: string, bytes: Buffer): PlannedEntry => ({ path, estimate: bytes.length, compressionLevel: 6, open: () => Readable.from([bytes]) });
  // Demonstration data (issue 17): a trailing column on every CSV row (demonstration.ts).
  const demo = model.demonstration === true;
  const csvOf = (text: string): string => (demo ? markCsv(text, true) : text);

  const planned: PlannedEntry[] = [
    { path: BUNDLE_PDF, estimate: PDF_BYTES_PER_CHART * (model.series.length + 5), compressionLevel: 6, open: () => renderBundlePdf(model, exhibits, fileName, recordings) },
    ...exhibits.map((e, i): PlannedEntry => ({ path: e.file, estimate: clipSizes[i]!, compressionLevel: 0, open: () => createReadStream(e.clip.path) })),
    ...recordings.map((r): PlannedEntry => ({ path: r.file, estimate: clipSize(r.recording.path), compressionLevel: 0, open: () => createReadStream(r.recording.path) })),
    {
      path: DATA_FILES.levels,
      estimate: CSV_ROW_BYTES * model.levelCount,
      compressionLevel: options.levelsCompressionLevel ?? 1,
      // The source's own bytes when it has them (export/level-csv.ts); a demonstration bundle marks every row, from the formatted rows.
      open: () => Readable.from(demo ? markCsvChunks(levelsCsv(source.levelRows())) : (source.levelsCsv?.() ?? levelsCsv(source.levelRows()))),
    },
    // Issue 16: data/bands.csv, only when the period holds bands.
    ...(source.bands === undefined ? [] : [bandsCsvEntry(source.bands, demo)]),
    buffer(DATA_FILES.events, Buffer.from(csvOf(eventsCsv(model, exhibits)), 'utf8')),
    buffer(DATA_FILES.diary, Buffer.from(csvOf(diaryCsv(model, recordings)), 'utf8')),
    buffer(DATA_FILES.nights, Buffer.from(csvOf(nightsCsv(model)), 'utf8')),
    buffer(EVIDENCE_FILES.leaves, evidence.leaves),
    buffer(EVIDENCE_FILES.proofs, evidence.proofs),
    buffer(EVIDENCE_FILES.sth, evidence.sth),
    buffer(EVIDENCE_FILES.sig, evidence.sig),
    buffer(EVIDENCE_FILES.publicKey, evidence.publicKey),
  ];

  mkdirSync(options.outDir, { recursive: true });
  const finalPath = join(options.outDir, fileName);
  // Unique per write (issue 11 item 9): two exports at once into one folder never share a temporary.
  const tmpPath = `${finalPath}.${process.pid}.${randomBytes(6).toString('hex')}.partial`;
  try {
    const manifest = await streamZip(planned, tmpPath, new Date(model.generatedAt), options.onProgress);
    exhibits.forEach((e, i) => {
      const got = manifest[i + 1]!.sha256;
      if (got !== e.clip.sha256) throw new EarshotError('EARSHOT_E_BUNDLE_CLIP_HASH_MISMATCH', `${e.clip.path} (clip ${e.clip.clipId}) hashes to ${got}, recorded ${e.clip.sha256}`);
    });
    for (const r of recordings) {
      const got = manifest.find((m) => m.path === r.file)?.sha256;
      if (got !== r.recording.sha256) throw new EarshotError('EARSHOT_E_BUNDLE_CLIP_HASH_MISMATCH', `${r.recording.path} (phone recording of diary entry ${r.recording.diaryId}) hashes to ${got ?? 'nothing'}, recorded ${r.recording.sha256}`);
    }
    renameSync(tmpPath, finalPath);
    const bytes = statSync(finalPath).size;
    options.onProgress?.({ file: MANIFEST_FILE, filesDone: planned.length + 1, filesTotal: planned.length + 1, fraction: 1 });
    return { path: finalPath, fileName, bytes, manifest, exhibits };
  } catch (e) {
    try {
      unlinkSync(tmpPath);
    } catch {
      // already gone
    }
    if (e instanceof EarshotError) throw e;
    throw new EarshotError('EARSHOT_E_BUNDLE_WRITE_FAILED', (e as Error).message);
  }
}

function clipSize(path: string): number {
  try {
    const s = statSync(path);
    if (!s.isFile()) throw new Error('not a file');
    return s.size;
  } catch (e) {
    throw new EarshotError('EARSHOT_E_BUNDLE_CLIP_UNREADABLE', `${path}: ${(e as Error).message}`);
  }
}

/** Streams the entries and then the manifest into a ZIP at `path`; resolves with the manifest entries. */
function streamZip(planned: readonly PlannedEntry[], path: string, mtime: Date, onProgress: WriteBundleOptions['onProgress']): Promise<ManifestEntry[]> {
  return new Promise((resolve, reject) => {
    useZlibCrc32();
    const zip = new ZipFile();
    const out = createWriteStream(path);
    const manifest: ManifestEntry[] = [];
    const total = planned.reduce((s, p) => s + p.estimate, 0) || 1;
    const filesTotal = planned.length + 1;
    let done = 0;
    let failed = false;
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      out.destroy();
      reject(e);
    };
    zip.on('error', fail);
    out.on('error', fail);
    pipeline(zip.outputStream, out, (e) => (e ? fail(e) : undefined));

    planned.forEach((entry, i) => {
      zip.addReadStreamLazy(entry.path, { mtime, compressionLevel: entry.compressionLevel }, (cb) => {
        const hasher = new HashingStream(
          (n) => {
            done += n;
            onProgress?.({ file: entry.path, filesDone: i, filesTotal, fraction: Math.min(0.99, done / total) });
          },
          (sha256) => manifest.push({ path: entry.path, sha256 }),
        );
        let src: Readable;
        try {
          src = entry.open();
        } catch (e) {
          fail(e as Error);
          return;
        }
        pipeline(src, hasher, (e) => (e ? fail(new Error(`${entry.path}: ${e.message}`)) : undefined));
        // yazl builds the entry's compressor inside this call (zip-deflate.ts).
        withWideDeflate(() => cb(null, hasher));
      });
    });
    // Last: by the time yazl asks for it, every entry above has been read through its hasher.
    zip.addReadStreamLazy(MANIFEST_FILE, { mtime }, (cb) => {
      if (manifest.length !== planned.length) {
        fail(new Error(`manifest has ${manifest.length} of ${planned.length} files`));
        return;
      }
      onProgress?.({ file: MANIFEST_FILE, filesDone: planned.length, filesTotal, fraction: 0.99 });
      cb(null, Readable.from([formatManifest(manifest)]));
    });
    zip.end();
    finished(out, (e) => (e ? fail(e) : failed ? undefined : resolve(manifest)));
  });
}
