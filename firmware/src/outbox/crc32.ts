/**
 * CRC-32 as IEEE 802.3 defines it (reflected polynomial 0xEDB88320, initial and
 * final XOR 0xFFFFFFFF; check value of "123456789" is 0xCBF43926). Uses
 * node:zlib's crc32 where the runtime has it (Node ≥ 20.15), else a
 * precomputed 256-entry table (Sarwate's byte-wise method).
 */
import * as zlib from 'node:zlib';

/** IEEE 802.3 CRC-32 polynomial, bit-reversed. */
const POLY_REFLECTED = 0xedb88320;

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY_REFLECTED ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

let table: Uint32Array | null = null;

/** The table implementation; exported so a test can check it against zlib's. */
export function crc32Table(data: Uint8Array, start = 0, end = data.length): number {
  const t = (table ??= makeTable());
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** CRC-32 (IEEE 802.3) of `data`, unsigned. */
export const crc32: (data: Uint8Array) => number = typeof native === 'function' ? (d) => native(d) >>> 0 : (d) => crc32Table(d);
