/**
 * data/bands.csv (DESIGN §6, issue 16): one row per level record that carried
 * 1/3-octave bands, `time_utc,time_london,device,Z_10,Z_12.5,…,Z_20000,duration_s`
 * — a column for every nominal band 10 Hz … 20 kHz (IEC 61260-1:2014 Annex E),
 * its Z-weighted Leq over the record in dB to 0.1 (as the monitor sent it);
 * empty where the band was digital silence or not measured (above the monitor's
 * top band) — then the record's duration (1 s, or more for a record compacted on
 * the monitor). RFC 4180 as the other files (csv.ts).
 *
 * A month of one monitor is 2.6 M rows: they are written straight into bytes,
 * the times cut from a per-minute prefix (UK offsets change only on the hour)
 * and each level from a table of its digits, and handed out in chunks of whole
 * rows — never the whole file at once. An hour's records come from its band
 * block (block(), store/band-blocks/) or, where it has none, from its rows
 * (row()): the same bytes.
 */
import { BAND_DB10_MAX, BAND_DB10_MIN, NOMINAL_THIRD_OCTAVES } from '@earshot/shared';
import { ALL_BANDS, BAND_BYTES, BAND_NULL } from '../store/band-codec.ts';
import type { BandBlock } from '../store/band-blocks/codec.ts';
import { LondonClock } from './london-clock.ts';

export const BANDS_CSV = 'data/bands.csv';
export const BANDS_HEADER = ['time_utc', 'time_london', 'device', ...NOMINAL_THIRD_OCTAVES.map((b) => `Z_${b}`), 'duration_s'] as const;

/** What write-bundle takes for data/bands.csv: how many rows (for progress) and the file's bytes, streamed. */
export interface BandsCsvSource {
  readonly rows: number;
  bytes(): Iterable<Uint8Array>;
}

/**
 * Bytes of a chunk handed out (whole rows): each chunk is one pass through the ZIP writer's streams (hash,
 * CRC, byte counts, a zlib write), so a month's 581 MB goes in 2 200 passes rather than 8 900 (64 kB and
 * 256 kB measured alike within the noise of a shared machine).
 */
const CHUNK = 1 << 18;
/**
 * Room past CHUNK for the last row: two times, a device id (≤ 64), 34 levels of ≤ 6 characters, commas, a
 * duration — and the ≤ 7 bytes block() stores past a row's last field (overwritten, never handed out).
 */
const MAX_ROW = 64 + 64 + 34 * 7 + 32;
const COMMA = 44;
const ASCII = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

// Every level the schema allows with the comma before it, dB10 / 10 to one decimal (",41.2", ",-3.5", ",0.0"),
// in slots of 8 bytes: the length, then the characters (at most 7: ",-200.0").
const SLOT = 8;
const LEVEL_BYTES = new Uint8Array((BAND_DB10_MAX - BAND_DB10_MIN + 1) * SLOT);
for (let v = BAND_DB10_MIN; v <= BAND_DB10_MAX; v++) {
  const text = `,${(v / 10).toFixed(1)}`;
  const at = (v - BAND_DB10_MIN) * SLOT;
  LEVEL_BYTES[at] = text.length;
  for (let j = 0; j < text.length; j++) LEVEL_BYTES[at + 1 + j] = text.charCodeAt(j);
}
const TWO = Array.from({ length: 60 }, (_, i) => ASCII(String(i).padStart(2, '0')));
// ".000Z," … ".999Z,": the milliseconds of the UTC time and the comma after it.
const ASCII_FRAC = Array.from({ length: 1000 }, (_, f) => ASCII(`.${String(f).padStart(3, '0')}Z,`));
// block()'s tables, as little-endian words: each level's text (as LEVEL_BYTES) in two 32-bit words and its
// length; each second's two digits; each millisecond's first two digits and its third.
const LEVEL_WORDS = new Uint32Array(2 * (BAND_DB10_MAX - BAND_DB10_MIN + 1));
const LEVEL_LENGTHS = new Uint8Array(BAND_DB10_MAX - BAND_DB10_MIN + 1);
for (let v = 0; v < LEVEL_LENGTHS.length; v++) {
  const at = v * SLOT;
  LEVEL_LENGTHS[v] = LEVEL_BYTES[at]!;
  const word = (from: number): number => (LEVEL_BYTES[from]! | (LEVEL_BYTES[from + 1]! << 8) | (LEVEL_BYTES[from + 2]! << 16) | (LEVEL_BYTES[from + 3]! << 24)) >>> 0;
  LEVEL_WORDS[2 * v] = word(at + 1);
  // The slot's 8th byte is the next slot's length: past this text, never handed out, but kept zero.
  LEVEL_WORDS[2 * v + 1] = word(at + 5) & 0x00ffffff;
}
const SECONDS = Uint16Array.from({ length: 60 }, (_, s) => TWO[s]![0]! | (TWO[s]![1]! << 8));
const MILLIS_12 = Uint16Array.from({ length: 1000 }, (_, f) => { const d = String(f).padStart(3, '0'); return d.charCodeAt(0) | (d.charCodeAt(1) << 8); });
const MILLIS_3 = Uint8Array.from({ length: 1000 }, (_, f) => String(f).padStart(3, '0').charCodeAt(2));
/** Where the seconds sit in a row: "2026-10-01T12:00:" is 17 bytes, then "SS.mmmZ," and the local "2026-10-01T13:00:". */
const UTC_SEC = 17;
const LOCAL_SEC = UTC_SEC + 8 + 17;

/** Copies a few bytes (a loop beats set() for runs this short); returns the position after them. */
function copy(to: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let j = 0; j < bytes.length; j++) to[at + j] = bytes[j]!;
  return at + bytes.length;
}

export class BandsCsvBytes {
  readonly #clock = new LondonClock();
  #buf = Buffer.allocUnsafe(CHUNK + MAX_ROW);
  /** block() writes through a DataView: unaligned stores of 2 and 4 bytes. */
  #view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
  #pos = 0;
  #minute = Number.NaN;
  #utc: Uint8Array = new Uint8Array(0);
  #local: Uint8Array = new Uint8Array(0);
  #suffix: Uint8Array = new Uint8Array(0);
  /** block()'s row head for the current minute and this device (#template). */
  #head0: Uint32Array = new Uint32Array(0);
  #head0Length = 0;
  #head0Device: Uint8Array | null = null;
  #d = Number.NaN;
  #dText: Uint8Array = new Uint8Array(0);

  constructor() {
    const header = ASCII(`${BANDS_HEADER.join(',')}\r\n`);
    this.#buf.set(header, 0);
    this.#pos = header.length;
  }

  /** One record: `t` epoch ms, `device` its CSV field's bytes, the stored bands BLOB from nominal band `i0`. */
  row(t: number, device: Uint8Array, d: number, i0: number, data: Uint8Array): void {
    const b = this.#buf;
    let p = this.#head(t, device);
    const n = data.byteLength / BAND_BYTES;
    const last = Math.min(NOMINAL_THIRD_OCTAVES.length, i0 + n);
    for (let k = 0; k < i0; k++) b[p++] = COMMA;
    for (let k = i0; k < last; k++) {
      const i = (k - i0) * BAND_BYTES;
      const v = ((data[i + 1]! << 24) >> 16) | data[i]!;
      if (v === BAND_NULL) {
        // Digital silence: an empty field.
        b[p++] = COMMA;
        continue;
      }
      const at = (v - BAND_DB10_MIN) * SLOT;
      const len = LEVEL_BYTES[at]!;
      for (let j = 1; j <= len; j++) b[p++] = LEVEL_BYTES[at + j]!;
    }
    for (let k = last; k < NOMINAL_THIRD_OCTAVES.length; k++) b[p++] = COMMA;
    this.#pos = this.#tail(p, d);
  }

  /**
   * The records [i, end) of a band block (store/band-blocks/codec.ts), the same bytes as row() gives for
   * each, until a chunk is full; returns the index of the first record not written. Each row is the minute's
   * head copied whole with its seconds and milliseconds patched in, then each band's slot of LEVEL_BYTES
   * copied whole (SLOT − 1 bytes) and the position moved by its length: what lies past the position is
   * overwritten by the next field or never handed out.
   */
  block(block: BandBlock, i: number, end: number, device: Uint8Array): number {
    const view = this.#view;
    const codes = block.codes;
    const offsets = block.offsetMs;
    const ds = block.d;
    const hour = block.hourMs;
    // In locals: an imported binding may be read through a getter (a module compiled to CommonJS), per band.
    const words = LEVEL_WORDS;
    const lengths = LEVEL_LENGTHS;
    const bands = ALL_BANDS;
    const min = BAND_DB10_MIN;
    let pos = this.#pos;
    let tpl = this.#head0;
    let tplLength = this.#head0Length;
    for (; i < end && pos < CHUNK; i++) {
      const t = hour + offsets[i]!;
      const minute = Math.floor(t / 60_000);
      if (minute !== this.#minute || device !== this.#head0Device) {
        this.#setMinute(minute);
        tpl = this.#template(device);
        tplLength = this.#head0Length;
      }
      const ms = t - minute * 60_000;
      const sec = Math.floor(ms / 1000);
      const frac = ms - sec * 1000;
      for (let j = 0; j < tpl.length; j++) view.setUint32(pos + 4 * j, tpl[j]!, true);
      const ss = SECONDS[sec]!;
      view.setUint16(pos + UTC_SEC, ss, true);
      view.setUint16(pos + UTC_SEC + 3, MILLIS_12[frac]!, true);
      view.setUint8(pos + UTC_SEC + 5, MILLIS_3[frac]!);
      view.setUint16(pos + LOCAL_SEC, ss, true);
      let p = pos + tplLength;
      const at0 = i * bands;
      for (let k = 0; k < bands; k++) {
        const v = codes[at0 + k]!;
        // Digital silence (BAND_NULL) or no such band (ABSENT), both below every level: an empty field.
        if (v < min) {
          view.setUint8(p++, COMMA);
          continue;
        }
        const at = v - min;
        view.setUint32(p, words[2 * at]!, true);
        view.setUint32(p + 4, words[2 * at + 1]!, true);
        p += lengths[at]!;
      }
      pos = this.#tail(p, ds[i]!);
    }
    this.#pos = pos;
    return i;
  }

  /** The head of a row of the current minute and `device`: both times with second 00.000 and the commas, then the device. */
  #template(device: Uint8Array): Uint32Array {
    const length = this.#utc.length + 8 + this.#local.length + 2 + this.#suffix.length + device.length;
    // Whole little-endian words (block() stores them four bytes at a time); the bytes past `length` are zero.
    const head = new Uint8Array((length + 3) & ~3);
    let p = copy(head, 0, this.#utc);
    p = copy(head, p, ASCII('00.000Z,'));
    p = copy(head, p, this.#local);
    p = copy(head, p, ASCII('00'));
    p = copy(head, p, this.#suffix);
    copy(head, p, device);
    this.#head0 = new Uint32Array(head.buffer);
    this.#head0Length = length;
    this.#head0Device = device;
    return this.#head0;
  }

  #setMinute(minute: number): void {
    this.#minute = minute;
    const m0 = minute * 60_000;
    const off = this.#clock.offsetMs(m0);
    this.#utc = ASCII(new Date(m0).toISOString().slice(0, 17));
    this.#local = ASCII(new Date(m0 + off).toISOString().slice(0, 17));
    this.#suffix = ASCII(off === 0 ? '+00:00,' : '+01:00,');
    this.#head0Device = null;
  }

  /** Writes the row's times and device with the commas after them; returns the position after. */
  #head(t: number, device: Uint8Array): number {
    const minute = Math.floor(t / 60_000);
    if (minute !== this.#minute) this.#setMinute(minute);
    const ms = t - minute * 60_000;
    const sec = TWO[Math.floor(ms / 1000)]!;
    const b = this.#buf;
    let p = copy(b, this.#pos, this.#utc);
    p = copy(b, p, sec);
    p = copy(b, p, ASCII_FRAC[ms % 1000]!);
    p = copy(b, p, this.#local);
    p = copy(b, p, sec);
    p = copy(b, p, this.#suffix);
    return copy(b, p, device);
  }

  /** Writes `,d` and the row's end at `p`; returns the position after. */
  #tail(p: number, d: number): number {
    if (d !== this.#d) {
      this.#d = d;
      this.#dText = ASCII(`,${d}\r\n`);
    }
    return copy(this.#buf, p, this.#dText);
  }

  /** A chunk of whole rows once enough are written, else null. */
  take(): Buffer | null {
    if (this.#pos < CHUNK) return null;
    return this.rest();
  }

  /** Everything written and not yet taken. */
  rest(): Buffer {
    // The buffer itself, and a fresh one to write on: no copy of the file's bytes.
    const out = this.#buf.subarray(0, this.#pos);
    this.#buf = Buffer.allocUnsafe(CHUNK + MAX_ROW);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
    this.#pos = 0;
    return out;
  }
}
