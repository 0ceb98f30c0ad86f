/**
 * Interleaved PCM bytes → floats in [−1, 1) for one channel (DESIGN §2: int16 /
 * 32768, int24 / 8388608, int32 / 2147483648, float as is; 8-bit WAV is unsigned,
 * offset 128). The format is chosen once per call, outside the per-sample loop;
 * nothing is allocated.
 */
import type { PcmFormat } from './wav-format.ts';

const INT8_SCALE = 1 / 128;
const INT16_SCALE = 1 / 32768;
const INT24_SCALE = 1 / 8388608;
const INT32_SCALE = 1 / 2147483648;

/**
 * Decodes `frames` frames of `src` starting at byte `srcOffset` into `out[0..frames)`,
 * taking channel `channel`. `src` is read with DataView-free byte arithmetic or
 * aligned views, so any Buffer works.
 */
export function decodeChannel(src: Buffer, srcOffset: number, frames: number, format: PcmFormat, channel: number, out: Float64Array): void {
  const bps = format.bitsPerSample / 8;
  const stride = format.channels * bps;
  let p = srcOffset + channel * bps;
  if (format.encoding === 'float') {
    if (format.bitsPerSample === 32) {
      for (let i = 0; i < frames; i++, p += stride) out[i] = src.readFloatLE(p);
    } else {
      for (let i = 0; i < frames; i++, p += stride) out[i] = src.readDoubleLE(p);
    }
    return;
  }
  switch (format.bitsPerSample) {
    case 8:
      for (let i = 0; i < frames; i++, p += stride) out[i] = (src[p]! - 128) * INT8_SCALE;
      return;
    case 16:
      for (let i = 0; i < frames; i++, p += stride) out[i] = ((src[p]! | (src[p + 1]! << 24 >> 16))) * INT16_SCALE;
      return;
    case 24:
      for (let i = 0; i < frames; i++, p += stride) out[i] = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 24 >> 8)) * INT24_SCALE;
      return;
    case 32:
      for (let i = 0; i < frames; i++, p += stride) out[i] = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) * INT32_SCALE;
      return;
    default:
      throw new RangeError(`no decoder for ${format.bitsPerSample}-bit int`);
  }
}
