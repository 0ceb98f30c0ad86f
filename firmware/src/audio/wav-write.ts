/**
 * Writes PCM WAV: a canonical 44-byte header (WAVE_FORMAT_PCM or IEEE float)
 * and floats in [−1, 1) encoded to int16/int24/int32 (DESIGN §2 scaling, rounded
 * and clamped) or float32. Used for audio clips and for test signals.
 */
import type { PcmFormat } from './wav-format.ts';
import { WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM } from './wav-format.ts';

export const WAV_HEADER_BYTES = 44;

/** The 44-byte header of a file holding `dataBytes` bytes of audio in `format`. */
export function wavHeader(format: PcmFormat, dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes + (dataBytes & 1), 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(format.encoding === 'float' ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, 20);
  h.writeUInt16LE(format.channels, 22);
  h.writeUInt32LE(format.sampleRate, 24);
  h.writeUInt32LE(format.sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(format.bitsPerSample, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * Encodes mono floats `samples[start..end)` into `out` at byte `outOffset` in the
 * given format (channels must be 1); returns the byte offset after the last sample.
 */
export function encodeMono(samples: ArrayLike<number>, start: number, end: number, format: PcmFormat, out: Buffer, outOffset: number): number {
  let p = outOffset;
  if (format.encoding === 'float') {
    for (let i = start; i < end; i++, p += 4) out.writeFloatLE(samples[i]!, p);
    return p;
  }
  const bits = format.bitsPerSample;
  const scale = 2 ** (bits - 1);
  const max = scale - 1;
  for (let i = start; i < end; i++) {
    let v = Math.round(samples[i]! * scale);
    if (v > max) v = max;
    else if (v < -scale) v = -scale;
    switch (bits) {
      case 16: out.writeInt16LE(v, p); p += 2; break;
      case 24: out.writeIntLE(v, p, 3); p += 3; break;
      case 32: out.writeInt32LE(v, p); p += 4; break;
      default: throw new RangeError(`no encoder for ${bits}-bit int`);
    }
  }
  return p;
}

/** A whole mono WAV file in memory. */
export function encodeWav(samples: ArrayLike<number>, format: Omit<PcmFormat, 'channels'>): Buffer {
  const f: PcmFormat = { ...format, channels: 1 };
  const dataBytes = samples.length * (f.bitsPerSample / 8);
  const out = Buffer.alloc(WAV_HEADER_BYTES + dataBytes + (dataBytes & 1));
  wavHeader(f, dataBytes).copy(out, 0);
  encodeMono(samples, 0, samples.length, f, out, WAV_HEADER_BYTES);
  return out;
}
