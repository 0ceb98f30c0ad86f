/**
 * The ZIP writer's CRC-32 on zlib's. yazl checksums every entry with the
 * buffer-crc32 package, a byte-at-a-time table in JavaScript: for a month of two
 * monitors' levels.csv (~400–600 MB) that is 2.3 s of the export's main thread
 * (bench/bundle-export.ts), where Node's own `zlib.crc32` (zlib's, with its
 * hardware paths; Node ≥ 20.15 / 22.2) takes 0.16 s. yazl takes no CRC from
 * outside, so its `crc32.unsigned(buffer, previous)` — the one function it
 * calls, with Buffers only — is pointed at zlib's, on the very module instance
 * yazl loads (resolved from yazl's own folder). Same polynomial (ISO 3309 /
 * ITU-T V.42), same unsigned result; checked on a known vector before use, and
 * left alone if anything differs. bundle tests check every entry's CRC with
 * `unzip -t` and our own reader (read-zip.ts).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';

interface BufferCrc32 {
  unsigned(input: Buffer, previous?: number): number;
}

/** The CRC-32 of ASCII "123456789" (the standard check value of CRC-32/ISO-HDLC). */
const CHECK_INPUT = Buffer.from('123456789');
const CHECK_VALUE = 0xcbf43926;

let installed = false;

/** Idempotent; returns whether yazl now checksums with zlib. */
export function useZlibCrc32(): boolean {
  if (installed) return true;
  if (typeof zlibCrc32 !== 'function') return false;
  const require = createRequire(import.meta.url);
  let lib: BufferCrc32;
  try {
    const yazlDir = dirname(require.resolve('yazl'));
    lib = require(require.resolve('buffer-crc32', { paths: [yazlDir] })) as BufferCrc32;
  } catch {
    return false;
  }
  const original = lib.unsigned.bind(lib);
  const fast = (input: Buffer, previous?: number): number => zlibCrc32(input, previous ?? 0);
  const half = CHECK_INPUT.subarray(0, 4);
  if (fast(CHECK_INPUT) !== CHECK_VALUE || original(CHECK_INPUT) !== CHECK_VALUE) return false;
  if (fast(CHECK_INPUT.subarray(4), fast(half)) !== original(CHECK_INPUT.subarray(4), original(half))) return false;
  lib.unsigned = fast;
  installed = true;
  return true;
}
