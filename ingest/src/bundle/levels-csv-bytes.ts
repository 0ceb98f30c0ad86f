/**
 * data/levels.csv written straight into bytes (issue 10: a month of two
 * monitors is 5.2 M rows, and the export must stay under 10 s): no string is
 * made per row or per value; times are cut from a per-hour prefix (UK clocks
 * change only on the UTC hour) and levels copied from a table of their bytes.
 *
 * The text is byte for byte what LevelRowFormatter (csv.ts) makes of the same
 * record: the same table of level strings (String(k / 100), and String(v) for a
 * value not held to 0.01 dB or outside −200 … 250 dB), the same UTC and
 * Europe/London times, and an hour whose times do not print as 24-character
 * ISO strings is written by LevelRowFormatter itself.
 * ingest/test/bundle/levels-csv-bytes.test.ts holds the two to each other.
 */
import { CRLF_BYTES, LEVELS_HEADER, LevelRowFormatter, csvRecord } from './csv.ts';
import { LondonClock } from './london-clock.ts';
import type { LevelRow } from './model.ts';

/** Table index k + OFFSET for a level of k / 100 dB, k in −20 000 … 25 000 (shared Level schema: −200 … 250 dB). */
const LEVEL_CODE_OFFSET = 20_000;
const LEVEL_CODE_MAX = 45_000;

const HOUR_MS = 3_600_000;
/** Bytes per chunk handed to the ZIP. */
const CHUNK_BYTES = 1 << 20;
/** Room kept at the end of a chunk: a row is < 400 bytes (a 64-character device id, the longest flag, values of up to 24 characters). */
const ROW_ROOM = 1024;
const MAX_LEVEL_CHARS = 8;

/** The bytes of String(k / 100) for every code, as LevelRowFormatter's table holds them. */
const LEVEL_BYTES = new Uint8Array((LEVEL_CODE_MAX + 1) * MAX_LEVEL_CHARS);
const LEVEL_LENGTH = new Uint8Array(LEVEL_CODE_MAX + 1);
for (let c = 0; c <= LEVEL_CODE_MAX; c++) {
  const s = String((c - LEVEL_CODE_OFFSET) / 100);
  LEVEL_LENGTH[c] = s.length;
  for (let i = 0; i < s.length; i++) LEVEL_BYTES[c * MAX_LEVEL_CHARS + i] = s.charCodeAt(i);
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const ZERO = 48;
const COMMA = 44;

/** Builds data/levels.csv in 1 MB chunks, the header first. */
export class LevelsCsvBytes {
  readonly #clock = new LondonClock();
  readonly #slow = new LevelRowFormatter();
  #buf = Buffer.allocUnsafe(CHUNK_BYTES);
  #pos = 0;
  #hour = Number.NaN;
  /** "YYYY-MM-DDTHH:" UTC and local, and the local offset "+00:00" / "+01:00". */
  #utc: Uint8Array = new Uint8Array(14);
  #local: Uint8Array = new Uint8Array(14);
  #suffix: Uint8Array = new Uint8Array(6);
  /** ",<device>," */
  #device: Uint8Array = new Uint8Array(0);
  #deviceField = '';
  readonly #flags = new Map<string, Uint8Array>();

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
      this.#utc = ascii(utc.slice(0, 14));
      this.#local = ascii(local.slice(0, 14));
      this.#suffix = ascii(off === 0 ? '+00:00' : '+01:00');
    }
    if (deviceField !== this.#deviceField) {
      this.#deviceField = deviceField;
      this.#device = Buffer.from(`,${deviceField},`, 'utf8');
    }
    return true;
  }

  /** A record of the current hour: its offset in the hour (ms) and its values as stored. */
  record(offsetMs: number, d: number, laeq: number | null, lceq: number | null, lzeq: number | null, lafmax: number | null, lafmin: number | null, lasmax: number | null, lcpeak: number | null, flag: string | null): void {
    const b = this.#buf;
    let p = this.#pos;
    const minute = Math.floor(offsetMs / 60_000);
    const inMinute = offsetMs - minute * 60_000;
    const sec = Math.floor(inMinute / 1000);
    const ms = inMinute - sec * 1000;
    p = put(b, p, this.#utc);
    b[p++] = ZERO + Math.floor(minute / 10);
    b[p++] = ZERO + (minute % 10);
    b[p++] = 58; // ':'
    b[p++] = ZERO + Math.floor(sec / 10);
    b[p++] = ZERO + (sec % 10);
    b[p++] = 46; // '.'
    b[p++] = ZERO + Math.floor(ms / 100);
    b[p++] = ZERO + (Math.floor(ms / 10) % 10);
    b[p++] = ZERO + (ms % 10);
    b[p++] = 90; // 'Z'
    b[p++] = COMMA;
    p = put(b, p, this.#local);
    b[p++] = ZERO + Math.floor(minute / 10);
    b[p++] = ZERO + (minute % 10);
    b[p++] = 58;
    b[p++] = ZERO + Math.floor(sec / 10);
    b[p++] = ZERO + (sec % 10);
    p = put(b, p, this.#suffix);
    b[p++] = COMMA;
    p = level(b, p, d);
    b[p++] = COMMA;
    p = level(b, p, laeq);
    b[p++] = COMMA;
    p = level(b, p, lceq);
    b[p++] = COMMA;
    p = level(b, p, lzeq);
    b[p++] = COMMA;
    p = level(b, p, lafmax);
    b[p++] = COMMA;
    p = level(b, p, lafmin);
    b[p++] = COMMA;
    p = level(b, p, lasmax);
    b[p++] = COMMA;
    p = level(b, p, lcpeak);
    p = put(b, p, this.#device);
    if (flag !== null) p = put(b, p, this.#flag(flag));
    b[p++] = CRLF_BYTES[0]!;
    b[p++] = CRLF_BYTES[1]!;
    this.#pos = p;
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
    this.#pos = 0;
    return out;
  }

  #flag(flag: string): Uint8Array {
    let f = this.#flags.get(flag);
    if (f === undefined) this.#flags.set(flag, (f = Buffer.from(flag, 'utf8')));
    return f;
  }
}

function put(b: Buffer, p: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) b[p + i] = bytes[i]!;
  return p + bytes.length;
}

/** As LevelRowFormatter.level: String(v), from the table when v is k / 100 within it. */
function level(b: Buffer, p: number, v: number | null): number {
  if (v === null) return p;
  const k = Math.round(v * 100);
  const c = k + LEVEL_CODE_OFFSET;
  if (k / 100 !== v || c < 0 || c > LEVEL_CODE_MAX) return p + b.write(String(v), p, 'latin1');
  const n = LEVEL_LENGTH[c]!;
  const at = c * MAX_LEVEL_CHARS;
  for (let i = 0; i < n; i++) b[p + i] = LEVEL_BYTES[at + i]!;
  return p + n;
}
