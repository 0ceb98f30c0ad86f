import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFLATE_CHUNK_BYTES, withWideDeflate } from '../../src/bundle/zip-deflate.ts';

// The module object yazl's require('zlib') returns.
const cjsZlib = createRequire(import.meta.url)('zlib') as typeof zlib;

/** Compresses `data` through a DeflateRaw built as yazl builds one; the sizes of the output chunks and the bytes. */
function compress(make: () => zlib.DeflateRaw, data: Buffer): Promise<{ sizes: number[]; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const d = make();
    const out: Buffer[] = [];
    d.on('data', (c: Buffer) => out.push(c));
    d.on('error', reject);
    d.on('end', () => resolve({ sizes: out.map((c) => c.length), bytes: Buffer.concat(out) }));
    d.end(data);
  });
}

describe("the ZIP writer's compressor (bundle/zip-deflate.ts)", () => {
  // Random bytes barely compress, so the output's chunking shows; CSV-like text after them, so the level shows.
  const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `2026-10-01T12:${String(i % 60).padStart(2, '0')}:00.000Z,${(30 + (i % 17) / 10).toFixed(1)}\r\n`).join(''));
  const data = Buffer.concat([randomBytes(3 << 20), text]);

  it('gives a compressor built inside the call a wide output buffer, and the same bytes', async () => {
    const plain = await compress(() => new cjsZlib.DeflateRaw({ level: 1 }), data);
    const wide = await withWideDeflate(() => compress(() => new cjsZlib.DeflateRaw({ level: 1 }), data));
    expect(Math.max(...plain.sizes)).toBe(16 * 1024);
    expect(Math.max(...wide.sizes)).toBe(DEFLATE_CHUNK_BYTES);
    expect(wide.bytes.equals(plain.bytes)).toBe(true);
    // The level it was given, not zlib's default.
    expect(wide.bytes.equals(zlib.deflateRawSync(data, { level: 1 }))).toBe(true);
    expect(wide.bytes.equals(zlib.deflateRawSync(data))).toBe(false);
    expect(zlib.inflateRawSync(wide.bytes).equals(data)).toBe(true);
  });

  it('keeps the options it is given and leaves DeflateRaw as it was, also when the call throws', () => {
    const original = cjsZlib.DeflateRaw;
    const inside = withWideDeflate(() => new cjsZlib.DeflateRaw({ level: 1 }));
    expect(inside).toBeInstanceOf(original);
    expect(cjsZlib.DeflateRaw).toBe(original);
    expect(() =>
      withWideDeflate(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(cjsZlib.DeflateRaw).toBe(original);
    expect(zlib.inflateRawSync(zlib.deflateRawSync(data.subarray(0, 100))).length).toBe(100);
  });
});
