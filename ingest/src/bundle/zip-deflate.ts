/**
 * The ZIP writer's compressor with room to work while the main thread makes
 * the next chunk. yazl compresses each entry through `new zlib.DeflateRaw({
 * level })`, whose output buffer is zlib's default 16 kB: every 16 kB of
 * compressed output is one trip back to the main thread before the thread pool
 * may go on. While the main thread makes data/levels.csv or data/bands.csv in
 * 256 kB chunks, those trips wait, so the CSV's making and its compression take
 * turns instead of running on two cores at once — measured on a month of two
 * monitors with bands (bench/bundle-export.ts): the main thread idle 55 % of
 * levels.csv's 4.4 s. With a 1 MB output buffer a 256 kB chunk is compressed in
 * one trip, overlapping the next chunk's making.
 *
 * yazl takes no zlib options, and it builds the compressor synchronously inside
 * the callback that hands it an entry's stream (addReadStreamLazy). So that
 * call, and only it, runs with `zlib.DeflateRaw` (on the module object yazl's
 * `require('zlib')` returns) pointing at a constructor that adds the chunk size;
 * it is put back before the call returns, whatever happens. Compressed bytes are
 * the same for any output buffer size (zlib's output is independent of how it is
 * drained): bundle tests compare with `unzip -t` and our own reader.
 */
import { createRequire } from 'node:module';
import type { DeflateRaw, ZlibOptions } from 'node:zlib';

/** Output buffer per compressor (zlib's default is 16 kB, Z_DEFAULT_CHUNK). */
export const DEFLATE_CHUNK_BYTES = 1 << 20;

interface ZlibModule {
  DeflateRaw: new (options?: ZlibOptions) => DeflateRaw;
}

const zlib = createRequire(import.meta.url)('node:zlib') as ZlibModule;

/** Runs `fn` (which makes yazl build an entry's compressor) with DeflateRaw given DEFLATE_CHUNK_BYTES of output buffer. */
export function withWideDeflate<T>(fn: () => T): T {
  const original = zlib.DeflateRaw;
  // A constructor returning an object: `new` yields that object, a real DeflateRaw.
  const wide = function (options?: ZlibOptions): DeflateRaw {
    return new original({ ...options, chunkSize: DEFLATE_CHUNK_BYTES });
  } as unknown as ZlibModule['DeflateRaw'];
  zlib.DeflateRaw = wide;
  try {
    return fn();
  } finally {
    zlib.DeflateRaw = original;
  }
}
