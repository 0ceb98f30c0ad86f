/**
 * One UTC hour of one monitor's 1/3-octave band records packed (a band block,
 * migrations.ts), so data/bands.csv reads an hour in one BLOB instead of 3 600
 * rows handed over one by one by better-sqlite3 (≈ 1.8 µs a row, the larger
 * part of the file's cost before blocks). Layout, little-endian, every array
 * aligned to its element size:
 *
 *   "BB", version, 0, u32 rows, 8 zero bytes
 *   | Int32 offset of each record in the hour (ms), ascending
 *   | pad to 8 | Float64 each record's duration d, as stored
 *   | Int16 × 34 per record, row after row: the band's level in the 0.1 dB
 *     integers the monitor sent (store/band-codec.ts), BAND_NULL for digital
 *     silence, ABSENT for a nominal band outside the record's bands.
 *
 * Lossless: a record's f0 is its first band that is not ABSENT and its band
 * count how many are not (its bands are consecutive, DESIGN §3 "Bands").
 */
import { BAND_DB10_MAX, BAND_DB10_MIN } from '@earshot/shared';
import { ALL_BANDS, BAND_NULL } from '../band-codec.ts';

/** A nominal band the record has no level for (below its f0, or above its top band). */
export const ABSENT = -32_767;
const HEADER_BYTES = 16;
const MAGIC_0 = 0x42; // 'B'
const MAGIC_1 = 0x42; // 'B'
export const CODEC_VERSION = 1;

/** One hour's band records, decoded: views on the block's bytes. */
export interface BandBlock {
  readonly hourMs: number;
  readonly rows: number;
  /** Each record's time minus the hour (ms), ascending. */
  readonly offsetMs: Int32Array;
  readonly d: Float64Array;
  /** ALL_BANDS codes per record (row i at i × ALL_BANDS): 0.1 dB integer, BAND_NULL or ABSENT. */
  readonly codes: Int16Array;
}

function layout(rows: number): { dAt: number; codesAt: number; bytes: number } {
  const dAt = (HEADER_BYTES + 4 * rows + 7) & ~7;
  const codesAt = dAt + 8 * rows;
  return { dAt, codesAt, bytes: codesAt + 2 * ALL_BANDS * rows };
}

/** An empty block of `rows` records to fill (its views), and its bytes. */
export function allocBlock(hourMs: number, rows: number): { block: BandBlock; bytes: Buffer } {
  const at = layout(rows);
  // Buffer.alloc never hands out a slice of the shared pool: the views start aligned.
  const bytes = Buffer.alloc(at.bytes);
  bytes[0] = MAGIC_0;
  bytes[1] = MAGIC_1;
  bytes[2] = CODEC_VERSION;
  bytes.writeUInt32LE(rows, 4);
  return { block: views(hourMs, bytes, rows, at), bytes };
}

function views(hourMs: number, bytes: Uint8Array, rows: number, at: ReturnType<typeof layout>): BandBlock {
  const ab = bytes.buffer;
  const base = bytes.byteOffset;
  return {
    hourMs,
    rows,
    offsetMs: new Int32Array(ab, base + HEADER_BYTES, rows),
    d: new Float64Array(ab, base + at.dAt, rows),
    codes: new Int16Array(ab, base + at.codesAt, rows * ALL_BANDS),
  };
}

/**
 * Writes one record's stored bands BLOB (int16 from nominal band `i0`, band-codec.ts) into row `row`;
 * false when the record cannot be packed as the codec says (an unknown f0, bands past 20 kHz, a level
 * outside the schema's bounds), so the hour is read from its rows instead.
 */
export function packRecord(block: BandBlock, row: number, offsetMs: number, d: number, i0: number, data: Uint8Array): boolean {
  const n = data.byteLength >> 1;
  if (i0 < 0 || (data.byteLength & 1) !== 0 || i0 + n > ALL_BANDS) return false;
  block.offsetMs[row] = offsetMs;
  block.d[row] = d;
  const codes = block.codes;
  const at = row * ALL_BANDS;
  for (let k = 0; k < i0; k++) codes[at + k] = ABSENT;
  for (let j = 0; j < n; j++) {
    const v = ((data[2 * j + 1]! << 24) >> 16) | data[2 * j]!;
    if (v !== BAND_NULL && (v < BAND_DB10_MIN || v > BAND_DB10_MAX)) return false;
    codes[at + i0 + j] = v;
  }
  for (let k = i0 + n; k < ALL_BANDS; k++) codes[at + k] = ABSENT;
  return true;
}

/** Reads a block's bytes (as stored, or from allocBlock); throws on bytes that are not a block of this codec. */
export function decodeBandBlock(hourMs: number, stored: Uint8Array): BandBlock {
  // Typed-array views need their element alignment; a Buffer may sit anywhere in its ArrayBuffer.
  const bytes = stored.byteOffset % 8 === 0 ? stored : new Uint8Array(stored);
  if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1 || bytes[2] !== CODEC_VERSION) throw new RangeError(`not a band block of codec version ${CODEC_VERSION}`);
  const rows = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(4, true);
  const at = layout(rows);
  if (bytes.length !== at.bytes) throw new RangeError(`a band block of ${rows} rows cannot be ${bytes.length} bytes`);
  return views(hourMs, bytes, rows, at);
}
