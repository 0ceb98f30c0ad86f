/**
 * data/bands.csv as an entry of the bundle's ZIP (write-bundle.ts): streamed
 * from its source, compressed at zlib level 1 like data/levels.csv (a month is
 * hundreds of MB of text); in a demonstration bundle every row gains the
 * demonstration column (demonstration.ts), as every other CSV file does.
 */
import { Readable } from 'node:stream';
import { BANDS_CSV, type BandsCsvSource } from './bands-csv.ts';
import { markCsvChunks } from './demonstration.ts';

/** Rough bytes of a row, for progress. */
const ROW_BYTES = 200;

export interface BandsCsvEntry {
  readonly path: string;
  readonly estimate: number;
  readonly compressionLevel: number;
  open(): Readable;
}

function* asText(chunks: Iterable<Uint8Array>): Generator<string> {
  for (const c of chunks) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1');
}

function* asBytes(chunks: Iterable<string>): Generator<Buffer> {
  for (const c of chunks) yield Buffer.from(c, 'latin1');
}

export function bandsCsvEntry(source: BandsCsvSource, demonstration: boolean): BandsCsvEntry {
  return {
    path: BANDS_CSV,
    estimate: ROW_BYTES * source.rows,
    compressionLevel: 1,
    // Chunks are whole rows, as markCsvChunks needs.
    open: () => Readable.from(demonstration ? asBytes(markCsvChunks(asText(source.bytes())) as Iterable<string>) : source.bytes()),
  };
}
