import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useZlibCrc32 } from '../../src/bundle/zip-crc32.ts';

const require = createRequire(import.meta.url);
const lib = require(require.resolve('buffer-crc32', { paths: [dirname(require.resolve('yazl'))] })) as {
  unsigned(b: Buffer, prev?: number): number;
};
const reference = lib.unsigned;

describe("the ZIP writer's CRC-32 on zlib (bundle/zip-crc32.ts)", () => {
  it('gives what buffer-crc32 gives, whole and chunk by chunk, on the module yazl uses', () => {
    const data = randomBytes(1 << 20);
    const chunks = [data.subarray(0, 1), data.subarray(1, 70_001), data.subarray(70_001)];
    const whole = reference(data);
    const chained = chunks.reduce((crc, c) => reference(c, crc), 0);
    expect(chained).toBe(whole);
    expect(useZlibCrc32()).toBe(true);
    expect(lib.unsigned).not.toBe(reference);
    expect(lib.unsigned(data)).toBe(whole);
    expect(chunks.reduce((crc, c) => lib.unsigned(c, crc), 0)).toBe(whole);
    expect(lib.unsigned(Buffer.alloc(0))).toBe(0);
    expect(useZlibCrc32()).toBe(true);
  });
});
