/**
 * Which characters a TrueType font has a glyph for, from its `cmap` table
 * (OpenType spec, "cmap — Character to Glyph Index Mapping Table": formats 4
 * and 12, the Windows Unicode subtables, platform 3 encodings 1 and 10).
 * Text is reduced to these before it is drawn, so nothing prints as an empty box.
 */
import { readFileSync } from 'node:fs';

export function fontCoverage(file: string): ReadonlySet<number> {
  const b = readFileSync(file);
  const tables = b.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < tables; i++) {
    const rec = 12 + 16 * i;
    if (b.toString('latin1', rec, rec + 4) === 'cmap') cmap = b.readUInt32BE(rec + 8);
  }
  if (cmap < 0) throw new Error(`${file}: no cmap table`);
  const out = new Set<number>();
  const count = b.readUInt16BE(cmap + 2);
  let format4 = -1;
  let format12 = -1;
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = b.readUInt16BE(rec);
    const encoding = b.readUInt16BE(rec + 2);
    const at = cmap + b.readUInt32BE(rec + 4);
    if (platform === 3 && encoding === 10 && b.readUInt16BE(at) === 12) format12 = at;
    if (platform === 3 && encoding === 1 && b.readUInt16BE(at) === 4) format4 = at;
  }
  if (format12 >= 0) {
    const groups = b.readUInt32BE(format12 + 12);
    for (let g = 0; g < groups; g++) {
      const p = format12 + 16 + 12 * g;
      const last = b.readUInt32BE(p + 4);
      for (let c = b.readUInt32BE(p); c <= last; c++) out.add(c);
    }
    return out;
  }
  if (format4 < 0) throw new Error(`${file}: no Unicode cmap subtable`);
  const segs = b.readUInt16BE(format4 + 6) / 2;
  const ends = format4 + 14;
  const starts = ends + 2 * segs + 2;
  const deltas = starts + 2 * segs;
  const offsets = deltas + 2 * segs;
  for (let s = 0; s < segs; s++) {
    const end = b.readUInt16BE(ends + 2 * s);
    const start = b.readUInt16BE(starts + 2 * s);
    const delta = b.readUInt16BE(deltas + 2 * s);
    const offsetAt = offsets + 2 * s;
    const offset = b.readUInt16BE(offsetAt);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      const glyph = offset === 0 ? (c + delta) & 0xffff : b.readUInt16BE(offsetAt + offset + 2 * (c - start));
      if (glyph !== 0) out.add(c);
    }
  }
  return out;
}
