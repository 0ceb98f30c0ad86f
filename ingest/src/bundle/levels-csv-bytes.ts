/**
 * data/levels.csv written straight into bytes (issue 10: a month of two
 * monitors is 5.2 M rows, and the export must stay under 10 s): no string is
 * made per row or per value. Rows come a level block at a time
 * (store/level-blocks/codec.ts); times are cut from a per-hour prefix (UK
 * clocks change only on the UTC hour), and a level held as its 0.01 dB code is
 * copied from a table of its bytes, chosen by the code, with no arithmetic.
 * Bytes are stored four at a time (a DataView over the chunk): a table entry
 * or a prefix is written whole, padded, and the write position moves on by its
 * true length, so the padding is overwritten by what follows.
 *
 * The text is byte for byte what LevelRowFormatter (csv.ts) makes of the same
 * record: the same level strings (String(k / 100), and String(v) for a value
 * not held to 0.01 dB or outside −200 … 250 dB), the same UTC and
 * Europe/London times, and an hour whose times do not print as 24-character
 * ISO strings is written by LevelRowFormatter itself.
 * ingest/test/export/level-csv.test.ts holds the two to each other.
 */
import { type LevelBlock, NULL_CODE, PATCH_CODE } from '../store/level-blocks/codec.ts';
import { LEVELS_HEADER, LevelRowFormatter, csvRecord } from './csv.ts';
import { LondonClock } from './london-clock.ts';
import type { LevelRow } from './model.ts';

/** The clock flag of each record, walked forward in time (export/clock-sync.ts ClockFlagCursor). */
export interface FlagWalk {
  /** The flag at `t`; `t` never decreasing between calls. */
  at(t: number): string | null;
  /** When the flag last returned by at() next changes (+Infinity: never). */
  until(): number;
}

/** Table index k + OFFSET for a level of k / 100 dB, k in −20 000 … 25 000 (shared Level schema: −200 … 250 dB). */
const LEVEL_CODE_OFFSET = 20_000;
const LEVEL_CODE_MAX = 45_000;

const HOUR_MS = 3_600_000;
/** Bytes per chunk handed to the ZIP. */
const CHUNK_BYTES = 1 << 20;
/** Room kept at the end of a chunk: a row is < 400 bytes (a 64-character device id, the longest flag, values of up to 24 characters), padding included. */
const ROW_ROOM = 1024;

const COMMA = 44;

/** Bytes as little-endian 32-bit words (zero-padded) and their true length. */
interface Words {
  readonly w: Uint32Array;
  readonly n: number;
}

function words(bytes: Uint8Array): Words {
  const w = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let i = 0; i < bytes.length; i++) w[i >> 2]! |= bytes[i]! << (8 * (i & 3));
  return { w, n: bytes.length };
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const word = (s: string): number => words(ascii(s)).w[0]!;

/** "," and String(k / 100) for every code, as LevelRowFormatter's table holds them: at most 8 bytes ("-199.99" and its comma), two words. */
const LEVEL_WORDS = new Uint32Array((LEVEL_CODE_MAX + 1) * 2);
const LEVEL_LENGTH = new Uint8Array(LEVEL_CODE_MAX + 1);
for (let c = 0; c <= LEVEL_CODE_MAX; c++) {
  const { w, n } = words(ascii(`,${String((c - LEVEL_CODE_OFFSET) / 100)}`));
  LEVEL_WORDS[2 * c] = w[0]!;
  LEVEL_WORDS[2 * c + 1] = w[1] ?? 0;
  LEVEL_LENGTH[c] = n;
}

/** For second q of the hour (minute × 60 + second): "mm:s" and "s.00" (the second's units, then the start of ".000"). */
const MM_S = new Uint32Array(3600);
const S_00 = new Uint32Array(3600);
for (let q = 0; q < 3600; q++) {
  const mm = String(Math.floor(q / 60)).padStart(2, '0');
  const ss = String(q % 60).padStart(2, '0');
  MM_S[q] = word(`${mm}:${ss[0]!}`);
  S_00[q] = word(`${ss[1]!}.00`);
}
const ZERO_Z_COMMA = word('0Z,');
const CRLF = word('\r\n');
const NO_WORDS: Words = { w: new Uint32Array(0), n: 0 };

/** Builds data/levels.csv in 1 MB chunks, the header first. */
export class LevelsCsvBytes {
  readonly #clock = new LondonClock();
  readonly #slow = new LevelRowFormatter();
  #buf = Buffer.allocUnsafe(CHUNK_BYTES);
  #view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
  #pos = 0;
  #hour = Number.NaN;
  /** "YYYY-MM-DDTHH:" UTC and local (14 bytes each). */
  #utc: Words = NO_WORDS;
  #local: Words = NO_WORDS;
  /** The local offset, "+00:00" / "+01:00". */
  #suffix: Words = NO_WORDS;
  /** ",<device>," */
  #device: Words = NO_WORDS;
  #deviceField = '';
  readonly #flags = new Map<string, Words>();
  readonly #memo = new PatchMemo();
  readonly #cursor = new Int32Array(8);

  constructor() {
    this.#pos = this.#buf.write(csvRecord(LEVELS_HEADER), 0, 'utf8');
  }

  /** Whether records of the hour starting at `hourMs` pack (its times print as 24-character ISO strings). */
  hour(hourMs: number, deviceField: string): boolean {
    if (hourMs !== this.#hour) {
      const utc = new Date(hourMs).toISOString();
      const off = this.#clock.offsetMs(hourMs);
      const local = new Date(hourMs + off).toISOString();
      if (utc.length !== 24 || local.length !== 24 || hourMs % HOUR_MS !== 0) return false;
      this.#hour = hourMs;
      this.#utc = words(ascii(utc.slice(0, 14)));
      this.#local = words(ascii(local.slice(0, 14)));
      this.#suffix = words(ascii(off === 0 ? '+00:00' : '+01:00'));
    }
    if (deviceField !== this.#deviceField) {
      this.#deviceField = deviceField;
      // The comma before the device ends the last level, which the level table does not carry.
      this.#device = words(Buffer.from(`,${deviceField},`, 'utf8'));
    }
    return true;
  }

  /**
   * Records [first, end) of a block of the current hour (hour() returned true for it), until the chunk is full;
   * returns the index of the first record not written (`end` when all were). `flags` is at or before the first record.
   */
  block(blk: LevelBlock, first: number, end: number, flags: FlagWalk): number {
    const b = this.#buf;
    const dv = this.#view;
    let p = this.#pos;
    const limit = CHUNK_BYTES - ROW_ROOM;
    const offsets = blk.offsetMs;
    // The fixed parts as words in locals: "YYYY-MM-DDTHH:" (14 bytes, 4 words) UTC and local, the offset (6 bytes, 2 words).
    const [u0, u1, u2, u3] = this.#utc.w as unknown as [number, number, number, number];
    const [l0, l1, l2, l3] = this.#local.w as unknown as [number, number, number, number];
    const [s0, s1] = this.#suffix.w as unknown as [number, number];
    const device = this.#device;
    // The eight columns in locals: one shape per site keeps the loop monomorphic.
    const [c0, c1, c2, c3, c4, c5, c6, c7] = blk.codes as [Int16Array, Int16Array, Int16Array, Int16Array, Int16Array, Int16Array, Int16Array, Int16Array];
    // A column's values kept whole, taken in row order: cursor[c] is the next one's index.
    const pv = (c: number): Float64Array => blk.patchValues(c);
    const v0 = pv(0), v1 = pv(1), v2 = pv(2), v3 = pv(3), v4 = pv(4), v5 = pv(5), v6 = pv(6), v7 = pv(7);
    const cursor = this.#cursor;
    for (let c = 0; c < 8; c++) cursor[c] = blk.patchesBefore(c, first);
    const memo = this.#memo;
    const hour = blk.hourMs;
    let flag = flags.at(hour + offsets[first]!);
    let flagWords = flag === null ? NO_WORDS : this.#flag(flag);
    let flagUntil = flags.until();
    let i = first;
    for (; i < end && p <= limit; i++) {
      const o = offsets[i]!;
      if (hour + o >= flagUntil) {
        flag = flags.at(hour + o);
        flagWords = flag === null ? NO_WORDS : this.#flag(flag);
        flagUntil = flags.until();
      }
      const q = (o / 1000) | 0;
      const ms = o - q * 1000;
      // "YYYY-MM-DDTHH:" "mm:ss.mmmZ,"
      dv.setUint32(p, u0, true);
      dv.setUint32(p + 4, u1, true);
      dv.setUint32(p + 8, u2, true);
      dv.setUint32(p + 12, u3, true);
      p += 14;
      const mms = MM_S[q]!;
      const s00 = S_00[q]!;
      dv.setUint32(p, mms, true);
      if (ms === 0) {
        dv.setUint32(p + 4, s00, true);
        dv.setUint32(p + 8, ZERO_Z_COMMA, true);
      } else {
        b[p + 4] = s00 & 0xff;
        b[p + 5] = 46; // '.'
        b[p + 6] = 48 + ((ms / 100) | 0);
        b[p + 7] = 48 + (((ms / 10) | 0) % 10);
        b[p + 8] = 48 + (ms % 10);
        b[p + 9] = 90; // 'Z'
        b[p + 10] = COMMA;
      }
      // "YYYY-MM-DDTHH:" "mm:ss" "+01:00"
      p += 11;
      dv.setUint32(p, l0, true);
      dv.setUint32(p + 4, l1, true);
      dv.setUint32(p + 8, l2, true);
      dv.setUint32(p + 12, l3, true);
      dv.setUint32(p + 14, mms, true);
      b[p + 18] = s00 & 0xff;
      dv.setUint32(p + 19, s0, true);
      dv.setUint32(p + 23, s1, true);
      p += 25;
      // ",d" and ",<level>" seven times, then ",<device>,", the flag and CRLF.
      p = code(b, dv, p, c0[i]!, v0, cursor, 0, memo);
      p = code(b, dv, p, c1[i]!, v1, cursor, 1, memo);
      p = code(b, dv, p, c2[i]!, v2, cursor, 2, memo);
      p = code(b, dv, p, c3[i]!, v3, cursor, 3, memo);
      p = code(b, dv, p, c4[i]!, v4, cursor, 4, memo);
      p = code(b, dv, p, c5[i]!, v5, cursor, 5, memo);
      p = code(b, dv, p, c6[i]!, v6, cursor, 6, memo);
      p = code(b, dv, p, c7[i]!, v7, cursor, 7, memo);
      p = put(dv, p, device);
      p = put(dv, p, flagWords);
      dv.setUint16(p, CRLF, true);
      p += 2;
    }
    this.#pos = p;
    return i;
  }

  /** A record of an hour whose times do not print as 24-character ISO strings, written by the row formatter. */
  row(r: LevelRow): void {
    this.#pos += this.#buf.write(this.#slow.row(r), this.#pos, 'utf8');
  }

  /** A full chunk, when one is ready. */
  take(): Buffer | null {
    return this.#pos > CHUNK_BYTES - ROW_ROOM ? this.rest() : null;
  }

  /** What is written so far (possibly empty). */
  rest(): Buffer {
    const out = this.#buf.subarray(0, this.#pos);
    this.#buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
    this.#pos = 0;
    return out;
  }

  #flag(flag: string): Words {
    let f = this.#flags.get(flag);
    if (f === undefined) this.#flags.set(flag, (f = words(Buffer.from(flag, 'utf8'))));
    return f;
  }
}

/**
 * A value as its block code (store/level-blocks/codec.ts) and the comma before it: String(k / 100) from the table;
 * nothing for null; a value kept whole (PATCH_CODE) as LevelRowFormatter.level writes it, the column's next patch.
 */
function code(b: Buffer, dv: DataView, p: number, k: number, patches: Float64Array, cursor: Int32Array, column: number, memo: PatchMemo): number {
  const c = k + LEVEL_CODE_OFFSET;
  if (c >= 0 && c <= LEVEL_CODE_MAX) {
    dv.setUint32(p, LEVEL_WORDS[2 * c]!, true);
    dv.setUint32(p + 4, LEVEL_WORDS[2 * c + 1]!, true);
    return p + LEVEL_LENGTH[c]!;
  }
  b[p] = COMMA;
  if (k === NULL_CODE) return p + 1;
  if (k === PATCH_CODE) return memo.put(dv, p + 1, patches[cursor[column]!++]!);
  return p + 1 + b.write(String(k / 100), p + 1, 'latin1');
}

/** As LevelRowFormatter.level: String(k / 100) when v is k / 100 within the table, else String(v). */
function levelString(v: number): string {
  const k = Math.round(v * 100);
  const c = k + LEVEL_CODE_OFFSET;
  return k / 100 !== v || c < 0 || c > LEVEL_CODE_MAX ? String(v) : String(k / 100);
}

/** Distinct values a month of blocks may hold whole: beyond this the memo starts again. */
const MEMO_VALUES = 1 << 16;

/**
 * The bytes of values kept whole in a block (PATCH_CODE), remembered: the same values recur (a level plus a
 * fixed offset that is not exact at 0.01 dB, say), and String(v) is the costly part.
 */
class PatchMemo {
  readonly #words = new Map<number, Words>();

  /** Writes v as LevelRowFormatter.level does at p; returns the position after it. */
  put(dv: DataView, p: number, v: number): number {
    let w = this.#words.get(v);
    if (w === undefined) {
      if (this.#words.size >= MEMO_VALUES) this.#words.clear();
      // Map keys are SameValueZero: −0 shares 0's entry, and both print "0".
      this.#words.set(v, (w = words(ascii(levelString(v)))));
    }
    return put(dv, p, w);
  }
}

function put(dv: DataView, p: number, x: Words): number {
  const w = x.w;
  for (let j = 0; j < w.length; j++) dv.setUint32(p + 4 * j, w[j]!, true);
  return p + x.n;
}
