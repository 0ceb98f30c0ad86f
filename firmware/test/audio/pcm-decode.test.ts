/** Whole-sample decoding (SampleViews) gives exactly what the byte arithmetic gives, for every format it reads. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PcmFormat } from '../../src/audio/index.ts';
import { SampleViews, decodeChannel, decodeChannelViews } from '../../src/audio/pcm-decode.ts';

const FRAMES = 4096;
const bits = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('decodeChannelViews', () => {
  const formats: PcmFormat[] = [];
  for (const channels of [1, 2, 3]) {
    for (const bitsPerSample of [8, 16, 24, 32]) formats.push({ encoding: 'int', bitsPerSample, channels, sampleRate: 48_000 });
    for (const bitsPerSample of [32, 64]) formats.push({ encoding: 'float', bitsPerSample, channels, sampleRate: 48_000 });
  }

  for (const f of formats) {
    it(`${f.bitsPerSample}-bit ${f.encoding}, ${f.channels} channel(s): the byte decoder's values bit for bit, or left to it`, () => {
      const buf = Buffer.alloc(FRAMES * f.channels * (f.bitsPerSample / 8));
      randomBytes(buf.length).copy(buf);
      // Floats from random bytes include NaNs of every payload; keep them finite so the comparison is of values.
      if (f.encoding === 'float') for (let p = 0; p < buf.length; p += f.bitsPerSample / 8) buf[p + f.bitsPerSample / 8 - 1]! &= 0x3f;
      const views = SampleViews.of(buf)!;
      expect(views).not.toBeNull();
      for (let channel = 0; channel < f.channels; channel++) {
        const bytes = new Float64Array(FRAMES);
        const whole = new Float64Array(FRAMES).fill(7);
        decodeChannel(buf, 0, FRAMES, f, channel, bytes);
        const read = decodeChannelViews(views, FRAMES, f, channel, whole);
        if (f.encoding === 'int' && (f.bitsPerSample === 8 || f.bitsPerSample === 24)) {
          expect(read).toBe(false);
          expect(whole.every((x) => x === 7)).toBe(true);
        } else {
          expect(read).toBe(true);
          expect(bits(whole)).toBe(bits(bytes));
        }
      }
    });
  }

  it('gives no views of a buffer that is not 8-byte aligned', () => {
    const big = Buffer.alloc(64);
    expect(SampleViews.of(big.subarray(2))).toBeNull();
    expect(SampleViews.of(big.subarray(8))).not.toBeNull();
  });
});
