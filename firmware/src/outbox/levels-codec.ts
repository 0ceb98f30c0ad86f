/**
 * How a levels body is kept in the journal (the data of a `message` or `compact`
 * record, record-codec.ts): binary, because 1/3-octave bands make the JSON of a
 * body of one 1 s record (as the monitor journals them) about 306 bytes where
 * this takes 111 with 33 bands, 43 without (148 as JSON).
 *
 *   u8 0x01 | f64 LE fullScaleDb | u16 LE record count | records…
 *
 * and per record:
 *
 *   f64 LE t (epoch ms) | f64 LE d (s) | u8 flags | u8 null mask | 7 × i16 LE level (0.01 dB)
 *   [u32 LE clipped] [u32 LE n] [u8 f0 index | u8 band count | count × i16 LE dB10]
 *
 * flags: bit 0 clipped, bit 1 silent, bit 2 n, bit 3 Z3 present, bit 4 the bands in 0.01 dB
 * (i16 dB10 × 10) rather than 0.1 dB. Null mask: bit k set when the k-th of LAeq, LCeq, LZeq,
 * LAFmax, LAFmin, LASmax, LCpeak is null. A null band is i16 −32768. `f0` is an index into
 * NOMINAL_THIRD_OCTAVES.
 *
 * Bands in 0.01 dB are those of a record compacted on the monitor (level-merge.ts): kept
 * finer than the wire's 0.1 dB so that merging it again does not round it again, which
 * over repeated compaction drifts a steady band upwards by up to 0.1 dB. They are rounded
 * to 0.1 dB integers (bandDb10) when read for sending; only compaction reads them as kept.
 *
 * A body the binary form cannot hold exactly (a level not on the 0.01 dB grid, a time
 * that is not its own ISO form) is kept as its JSON, and JSON bodies (every journal
 * written before this form, whose first byte is "{") are read as before. Decoding gives
 * the same values, keys in the schema's order. Pure: no I/O.
 */
import { bandDb10, NOMINAL_THIRD_OCTAVES, type LevelRecord, type LevelsBody, type NominalThirdOctave } from '@earshot/shared';
import { hasFineBands, sendableRecords } from './level-merge.ts';

/** First byte of a binary levels body; a JSON body starts with "{" (0x7b). */
export const LEVELS_BINARY_V1 = 0x01;
const JSON_OPEN = 0x7b;

const LEVEL_KEYS = ['LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak'] as const;
const CLIPPED = 1;
const SILENT = 2;
const MERGED = 4;
const BANDS = 8;
const FINE_BANDS = 16;
const NULL_BAND = -32_768;
const BODY_HEAD = 1 + 8 + 2;
const RECORD_HEAD = 8 + 8 + 1 + 1 + 2 * LEVEL_KEYS.length;

function centi(l: number): number | null {
  const c = Math.round(l * 100);
  return c / 100 === l && c >= -32_767 && c <= 32_767 ? c : null;
}

/** A band in 0.01 dB units (dB10 × 10) when it lies on that grid within i16; null otherwise. */
function centiBand(v: number): number | null {
  const c = Math.round(v * 10);
  return c / 10 === v && c > NULL_BAND && c <= 32_767 ? c : null;
}

function recordBytes(r: LevelRecord): number | null {
  if (new Date(Date.parse(r.t)).toISOString() !== r.t) return null;
  for (const k of LEVEL_KEYS) {
    const l = r[k];
    if (l !== null && centi(l) === null) return null;
  }
  let bytes = RECORD_HEAD;
  if (r.clipped !== undefined) {
    if (r.clipped > 0xffff_ffff) return null;
    bytes += 4;
  }
  if (r.n !== undefined) {
    if (r.n > 0xffff_ffff) return null;
    bytes += 4;
  }
  if (r.Z3 !== undefined) {
    if (hasFineBands(r) && r.Z3.dB10.some((v) => v !== null && centiBand(v) === null)) return null;
    bytes += 2 + 2 * r.Z3.dB10.length;
  }
  return bytes;
}

/**
 * The journal bytes of a levels body: valid against LevelsBody, or a compacted one whose bands may be
 * finer than 0.1 dB (on the 0.01 dB grid).
 */
export function encodeLevelsBody(body: LevelsBody): Buffer {
  let total = BODY_HEAD;
  for (const r of body.records) {
    const n = recordBytes(r);
    if (n === null) return Buffer.from(JSON.stringify(body), 'utf8');
    total += n;
  }
  const out = Buffer.allocUnsafe(total);
  out[0] = LEVELS_BINARY_V1;
  out.writeDoubleLE(body.fullScaleDb, 1);
  out.writeUInt16LE(body.records.length, 9);
  let p = BODY_HEAD;
  for (const r of body.records) {
    out.writeDoubleLE(Date.parse(r.t), p);
    out.writeDoubleLE(r.d, p + 8);
    const fine = hasFineBands(r);
    out[p + 16] = (r.clipped !== undefined ? CLIPPED : 0) | (r.silent === true ? SILENT : 0) | (r.n !== undefined ? MERGED : 0) | (r.Z3 !== undefined ? BANDS : 0) | (fine ? FINE_BANDS : 0);
    let nulls = 0;
    for (let k = 0; k < LEVEL_KEYS.length; k++) {
      const l = r[LEVEL_KEYS[k]!];
      if (l === null) nulls |= 1 << k;
      out.writeInt16LE(l === null ? 0 : centi(l)!, p + 18 + 2 * k);
    }
    out[p + 17] = nulls;
    p += RECORD_HEAD;
    if (r.clipped !== undefined) {
      out.writeUInt32LE(r.clipped, p);
      p += 4;
    }
    if (r.n !== undefined) {
      out.writeUInt32LE(r.n, p);
      p += 4;
    }
    if (r.Z3 !== undefined) {
      const b = r.Z3.dB10;
      out[p] = NOMINAL_THIRD_OCTAVES.indexOf(r.Z3.f0);
      out[p + 1] = b.length;
      p += 2;
      for (let i = 0; i < b.length; i++, p += 2) {
        const v = b[i] ?? null;
        out.writeInt16LE(v === null ? NULL_BAND : fine ? centiBand(v)! : v, p);
      }
    }
  }
  return out;
}

/**
 * A levels body from its journal bytes (binary or JSON), as it is sent: bands in 0.1 dB integers. With
 * `fine`, compacted bands as kept (0.01 dB), for compacting again. Throws on bytes neither form can read.
 */
export function decodeLevelsBody(data: Buffer, fine = false): LevelsBody {
  if (data[0] === JSON_OPEN) {
    const body = JSON.parse(data.toString('utf8')) as LevelsBody;
    return fine ? body : { fullScaleDb: body.fullScaleDb, records: sendableRecords(body.records) as LevelRecord[] };
  }
  if (data[0] !== LEVELS_BINARY_V1 || data.length < BODY_HEAD) throw new RangeError('not a levels body');
  const fullScaleDb = data.readDoubleLE(1);
  const count = data.readUInt16LE(9);
  const records: LevelRecord[] = [];
  let p = BODY_HEAD;
  for (let j = 0; j < count; j++) {
    const flags = data[p + 16]!;
    const nulls = data[p + 17]!;
    const level = (k: number): number | null => ((nulls >> k) & 1 ? null : data.readInt16LE(p + 18 + 2 * k) / 100);
    const r: LevelRecord = {
      t: new Date(data.readDoubleLE(p)).toISOString(),
      d: data.readDoubleLE(p + 8),
      LAeq: level(0), LCeq: level(1), LZeq: level(2), LAFmax: level(3), LAFmin: level(4), LASmax: level(5), LCpeak: level(6),
    };
    p += RECORD_HEAD;
    if (flags & CLIPPED) {
      r.clipped = data.readUInt32LE(p);
      p += 4;
    }
    if (flags & SILENT) r.silent = true;
    if (flags & MERGED) {
      r.n = data.readUInt32LE(p);
      p += 4;
    }
    if (flags & BANDS) {
      const f0 = NOMINAL_THIRD_OCTAVES[data[p]!];
      const n = data[p + 1]!;
      if (f0 === undefined) throw new RangeError(`band index ${data[p]} in a levels body`);
      p += 2;
      const dB10 = new Array<number | null>(n);
      const centi = (flags & FINE_BANDS) !== 0;
      for (let i = 0; i < n; i++, p += 2) {
        const v = data.readInt16LE(p);
        dB10[i] = v === NULL_BAND ? null : !centi ? v : fine ? v / 10 : bandDb10(v / 100);
      }
      r.Z3 = { f0: f0 as NominalThirdOctave, dB10 };
    }
    records.push(r);
  }
  if (p !== data.length) throw new RangeError(`levels body of ${data.length} bytes holds ${p}`);
  return { fullScaleDb, records };
}
