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
 * rows — never the whole file at once.
 */
import { BAND_DB10_MAX, BAND_DB10_MIN, NOMINAL_THIRD_OCTAVES } from '@earshot/shared';
import { BAND_BYTES, BAND_NULL } from '../store/band-codec.ts';
import { LondonClock } from './london-clock.ts';

export const BANDS_CSV = 'data/bands.csv';
export const BANDS_HEADER = ['time_utc', 'time_london', 'device', ...NOMINAL_THIRD_OCTAVES.map((b) => `Z_${b}`), 'duration_s'] as const;

/** What write-bundle takes for data/bands.csv: how many rows (for progress) and the file's bytes, streamed. */
export interface BandsCsvSource {
  readonly rows: number;
  bytes(): Iterable<Uint8Array>;
}

/** Bytes of a chunk handed out (whole rows). */
const CHUNK = 1 << 16;
/** Longest row: two times, a device id (≤ 64), 34 levels of ≤ 6 characters, commas, a duration. */
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

/** Copies a few bytes (a loop beats set() for runs this short); returns the position after them. */
function copy(to: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let j = 0; j < bytes.length; j++) to[at + j] = bytes[j]!;
  return at + bytes.length;
}

export class BandsCsvBytes {
  readonly #clock = new LondonClock();
  #buf = Buffer.allocUnsafe(CHUNK + MAX_ROW);
  #pos = 0;
  #minute = Number.NaN;
  #utc: Uint8Array = new Uint8Array(0);
  #local: Uint8Array = new Uint8Array(0);
  #suffix: Uint8Array = new Uint8Array(0);
  #d = Number.NaN;
  #dText: Uint8Array = new Uint8Array(0);

  constructor() {
    const header = ASCII(`${BANDS_HEADER.join(',')}\r\n`);
    this.#buf.set(header, 0);
    this.#pos = header.length;
  }

  /** One record: `t` epoch ms, `device` its CSV field's bytes, the stored bands BLOB from nominal band `i0`. */
  row(t: number, device: Uint8Array, d: number, i0: number, data: Uint8Array): void {
    const minute = Math.floor(t / 60_000);
    if (minute !== this.#minute) {
      this.#minute = minute;
      const m0 = minute * 60_000;
      const off = this.#clock.offsetMs(m0);
      this.#utc = ASCII(new Date(m0).toISOString().slice(0, 17));
      this.#local = ASCII(new Date(m0 + off).toISOString().slice(0, 17));
      this.#suffix = ASCII(off === 0 ? '+00:00,' : '+01:00,');
    }
    if (d !== this.#d) {
      this.#d = d;
      this.#dText = ASCII(`,${d}\r\n`);
    }
    const ms = t - minute * 60_000;
    const sec = TWO[Math.floor(ms / 1000)]!;
    const b = this.#buf;
    let p = copy(b, this.#pos, this.#utc);
    p = copy(b, p, sec);
    p = copy(b, p, ASCII_FRAC[ms % 1000]!);
    p = copy(b, p, this.#local);
    p = copy(b, p, sec);
    p = copy(b, p, this.#suffix);
    p = copy(b, p, device);
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
    const dt = this.#dText;
    for (let j = 0; j < dt.length; j++) b[p++] = dt[j]!;
    this.#pos = p;
  }

  /** A chunk of whole rows once enough are written, else null. */
  take(): Buffer | null {
    if (this.#pos < CHUNK) return null;
    return this.rest();
  }

  /** Everything written and not yet taken. */
  rest(): Buffer {
    const out = Buffer.from(this.#buf.subarray(0, this.#pos));
    this.#pos = 0;
    return out;
  }
}
