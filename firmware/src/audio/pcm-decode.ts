/**
 * Interleaved PCM bytes → floats in [−1, 1) for one channel (DESIGN §2: int16 /
 * 32768, int24 / 8388608, int32 / 2147483648, float as is; 8-bit WAV is unsigned,
 * offset 128). The format is chosen once per call, outside the per-sample loop;
 * nothing is allocated. A reader that keeps one buffer may also keep its
 * SampleViews, which read 16/32-bit and float samples whole (the same values as
 * the byte arithmetic, about twice as fast).
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

/** WAV samples are little-endian: whole-sample views read them right only on a little-endian host. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Typed views of one buffer of whole frames, made once with the buffer, so a block is decoded without allocating. */
export class SampleViews {
  private constructor(
    readonly i16: Int16Array,
    readonly i32: Int32Array,
    readonly f32: Float32Array,
    readonly f64: Float64Array,
  ) {}

  /** Views of `buf`, or null where they cannot read its samples (a big-endian host, a buffer not 8-byte aligned). */
  static of(buf: Buffer): SampleViews | null {
    if (!LITTLE_ENDIAN || buf.byteOffset % 8 !== 0) return null;
    const { buffer, byteOffset, byteLength } = buf;
    return new SampleViews(
      new Int16Array(buffer, byteOffset, byteLength >> 1),
      new Int32Array(buffer, byteOffset, byteLength >> 2),
      new Float32Array(buffer, byteOffset, byteLength >> 2),
      new Float64Array(buffer, byteOffset, byteLength >> 3),
    );
  }
}

/**
 * decodeChannel for frames that start at byte 0 of the viewed buffer, reading whole samples; false (nothing
 * written) for the formats a view cannot read (8- and 24-bit), which decodeChannel then takes.
 */
export function decodeChannelViews(views: SampleViews, frames: number, format: PcmFormat, channel: number, out: Float64Array): boolean {
  const stride = format.channels;
  let k = channel;
  if (format.encoding === 'float') {
    if (format.bitsPerSample === 32) {
      const v = views.f32;
      for (let i = 0; i < frames; i++, k += stride) out[i] = v[k]!;
    } else {
      const v = views.f64;
      for (let i = 0; i < frames; i++, k += stride) out[i] = v[k]!;
    }
    return true;
  }
  if (format.bitsPerSample === 16) {
    const v = views.i16;
    for (let i = 0; i < frames; i++, k += stride) out[i] = v[k]! * INT16_SCALE;
    return true;
  }
  if (format.bitsPerSample === 32) {
    const v = views.i32;
    for (let i = 0; i < frames; i++, k += stride) out[i] = v[k]! * INT32_SCALE;
    return true;
  }
  return false;
}
