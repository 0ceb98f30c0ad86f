/**
 * One UTC hour of one monitor's level records packed column by column (a
 * level block, docs/storage.md "Level blocks"): the records' time as its
 * offset in the hour, then `d`, the seven levels and the fullScaleDb its batch
 * stated, each value as an Int16 code k:
 *
 * - k / 100 dB when the stored double is exactly k / 100 (levels are stored to
 *   0.01 dB, DESIGN §3), for −327.66 … 327.67;
 * - NULL_CODE for null (digital silence);
 * - PATCH_CODE for any other value (−0, 1e-7, 33.3333333, 48.120000000000005,
 *   a d of 0.333 s …), whose double is kept as it is in the block's patch list.
 *
 * Lossless by construction: a code is used only when decoding it gives the very
 * double stored, and every other value is kept whole. Layout (little-endian,
 * every array aligned to its element size): "LB", version, 0, u32 rows, u32
 * patches, 4 pad bytes | Int32 offsets (ms) | Int16 codes, column after column
 * | pad to 8 | Float64 patch values | Int32 patch positions (column × rows + row),
 * ascending.
 */

/** Column order of a block: d, then the levels in DESIGN §2's order, then the batch's fullScaleDb. */
export const D = 0;
export const LAEQ = 1;
export const LCEQ = 2;
export const LZEQ = 3;
export const LAFMAX = 4;
export const LAFMIN = 5;
export const LASMAX = 6;
export const LCPEAK = 7;
/** The fullScaleDb of the batch the record came in (export/full-scale.ts). */
export const FULL_SCALE = 8;
export const COLUMNS = 9;

/** The code for null. */
export const NULL_CODE = -32_768;
/** The code for a value kept in the patch list. */
export const PATCH_CODE = -32_767;
const CODE_MIN = -32_766;
const CODE_MAX = 32_767;
const HEADER_BYTES = 16;
const MAGIC_0 = 0x4c; // 'L'
const MAGIC_1 = 0x42; // 'B'
export const CODEC_VERSION = 1;

/** One hour's records, decoded: views on the block's bytes, no copy per record. */
export interface LevelBlock {
  readonly hourMs: number;
  readonly rows: number;
  /** Each record's time minus the hour (ms), ascending. */
  readonly offsetMs: Int32Array;
  /** Per column, its codes: value = code / 100, NULL_CODE = null, PATCH_CODE = values(column)[i]. */
  readonly codes: readonly Int16Array[];
  /** Whether the column has any PATCH_CODE. */
  readonly patched: readonly boolean[];
  /** The values of the column's PATCH_CODEs, in row order (a view, no copy). */
  patchValues(column: number): Float64Array;
  /** How many of the column's PATCH_CODEs lie in rows before `row`. */
  patchesBefore(column: number, row: number): number;
  /** Per column, its values as doubles, NaN for null (made on first use). */
  values(column: number): Float64Array;
  /** One value, NaN for null, without making the column's values. */
  valueAt(column: number, row: number): number;
}

/** One hour's records column by column, as read from the levels table: NaN for null (SQLite stores no NaN). */
export interface RecordColumns {
  readonly rows: number;
  /** Each record's time minus the hour (ms), ascending, in [0, 1 h). */
  readonly offsetMs: Int32Array;
  /** COLUMNS arrays of at least `rows` values each, in the block's column order. */
  readonly columns: readonly Float64Array[];
}

/** The code of a value (NaN: null); PATCH_CODE when it is not exactly k / 100 for a code k. */
function codeOf(v: number): number {
  if (v !== v) return NULL_CODE;
  const k = Math.round(v * 100);
  // k / 100 must be the very double stored; −0 would come back as 0.
  if (k / 100 !== v || k > CODE_MAX || k < CODE_MIN || (v === 0 && 1 / v < 0)) return PATCH_CODE;
  return k;
}

function layout(rows: number, patches: number): { codesAt: number; patchValuesAt: number; patchPositionsAt: number; bytes: number } {
  const codesAt = HEADER_BYTES + 4 * rows;
  const patchValuesAt = align8(codesAt + 2 * rows * COLUMNS);
  const patchPositionsAt = patchValuesAt + 8 * patches;
  return { codesAt, patchValuesAt, patchPositionsAt, bytes: patchPositionsAt + 4 * patches };
}

/** Packs one hour's records. */
export function encodeBlock(r: RecordColumns): Buffer {
  const rows = r.rows;
  const codes = new Int16Array(rows * COLUMNS);
  let patches = 0;
  for (let c = 0; c < COLUMNS; c++) {
    const col = r.columns[c]!;
    for (let i = 0; i < rows; i++) {
      const k = codeOf(col[i]!);
      codes[c * rows + i] = k;
      if (k === PATCH_CODE) patches++;
    }
  }
  const at = layout(rows, patches);
  // Buffer.alloc never hands out a slice of the shared pool: the views below start aligned.
  const bytes = Buffer.alloc(at.bytes);
  bytes[0] = MAGIC_0;
  bytes[1] = MAGIC_1;
  bytes[2] = CODEC_VERSION;
  bytes.writeUInt32LE(rows, 4);
  bytes.writeUInt32LE(patches, 8);
  const ab = bytes.buffer;
  const base = bytes.byteOffset;
  new Int32Array(ab, base + HEADER_BYTES, rows).set(r.offsetMs.subarray(0, rows));
  new Int16Array(ab, base + at.codesAt, rows * COLUMNS).set(codes);
  const values = new Float64Array(ab, base + at.patchValuesAt, patches);
  const positions = new Int32Array(ab, base + at.patchPositionsAt, patches);
  let p = 0;
  for (let j = 0; j < codes.length; j++) {
    if (codes[j] !== PATCH_CODE) continue;
    values[p] = r.columns[Math.floor(j / rows)]![j % rows]!;
    positions[p++] = j;
  }
  return bytes;
}

/** Reads a block's bytes (as stored, or from encodeBlock); throws on bytes that are not a block of this codec. */
export function decodeBlock(hourMs: number, stored: Uint8Array): LevelBlock {
  // Typed-array views need their element alignment; a Buffer may sit anywhere in its ArrayBuffer.
  const bytes = stored.byteOffset % 8 === 0 ? stored : new Uint8Array(stored);
  if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1 || bytes[2] !== CODEC_VERSION) throw new RangeError(`not a level block of codec version ${CODEC_VERSION}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const rows = view.getUint32(4, true);
  const patches = view.getUint32(8, true);
  const at = layout(rows, patches);
  if (bytes.length !== at.bytes) throw new RangeError(`a level block of ${rows} rows and ${patches} patches cannot be ${bytes.length} bytes`);
  const ab = bytes.buffer;
  const base = bytes.byteOffset;
  const codes: Int16Array[] = [];
  for (let c = 0; c < COLUMNS; c++) codes.push(new Int16Array(ab, base + at.codesAt + 2 * rows * c, rows));
  const patchValues = new Float64Array(ab, base + at.patchValuesAt, patches);
  const patchPositions = new Int32Array(ab, base + at.patchPositionsAt, patches);
  // Positions ascend, so each column's patches are one run of the list: [patchStart[c], patchStart[c + 1]).
  const patchStart = new Int32Array(COLUMNS + 1);
  for (let c = 0; c <= COLUMNS; c++) patchStart[c] = lowerBound(patchPositions, c * rows);
  const patched = Array.from({ length: COLUMNS }, (_, c) => patchStart[c + 1]! > patchStart[c]!);
  const values = new Array<Float64Array | undefined>(COLUMNS);
  return {
    hourMs,
    rows,
    offsetMs: new Int32Array(ab, base + HEADER_BYTES, rows),
    codes,
    patched,
    patchValues: (column) => patchValues.subarray(patchStart[column], patchStart[column + 1]),
    patchesBefore: (column, row) => lowerBound(patchPositions, column * rows + row) - patchStart[column]!,
    valueAt(column, row) {
      const k = codes[column]![row]!;
      if (k === NULL_CODE) return Number.NaN;
      if (k !== PATCH_CODE) return k / 100;
      return patchValues[lowerBound(patchPositions, column * rows + row)]!;
    },
    values(column) {
      const known = values[column];
      if (known !== undefined) return known;
      const k = codes[column]!;
      const out = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const code = k[i]!;
        out[i] = code === NULL_CODE ? Number.NaN : code / 100;
      }
      const first = column * rows;
      for (let p = patchStart[column]!; p < patchStart[column + 1]!; p++) out[patchPositions[p]! - first] = patchValues[p]!;
      values[column] = out;
      return out;
    },
  };
}

/** First index of `sorted` (ascending) at or after `v`. */
function lowerBound(sorted: Int32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
