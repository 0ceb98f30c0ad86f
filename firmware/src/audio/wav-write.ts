/**
 * Writes PCM WAV: the RIFF header (WAVE_FORMAT_PCM or IEEE float), optionally
 * a Broadcast Wave `bext` chunk (bext.ts) between `fmt ` and `data`, and floats
 * in [−1, 1) encoded to int16/int24/int32 (DESIGN §2 scaling, rounded and
 * clamped) or float32. Used for audio clips and for test signals.
 */
import type { PcmFormat } from './wav-format.ts';
import { WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM } from './wav-format.ts';

/** The canonical header without a `bext` chunk: RIFF (12) + fmt (24) + data chunk header (8). */
export const WAV_HEADER_BYTES = 44;

/**
 * The header of a file holding `dataBytes` bytes of audio in `format`: 44
 * bytes, plus 8 + bext.length when a `bext` chunk body (even-length, encodeBext) is given.
 */
export function wavHeader(format: PcmFormat, dataBytes: number, bext?: Buffer): Buffer {
  const extra = bext === undefined ? 0 : 8 + bext.length;
  const h = Buffer.alloc(WAV_HEADER_BYTES + extra);
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + extra + dataBytes + (dataBytes & 1), 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(format.encoding === 'float' ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, 20);
  h.writeUInt16LE(format.channels, 22);
  h.writeUInt32LE(format.sampleRate, 24);
  h.writeUInt32LE(format.sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(format.bitsPerSample, 34);
  let p = 36;
  if (bext !== undefined) {
    if ((bext.length & 1) === 1) throw new RangeError('a bext chunk body must be of even length');
    h.write('bext', p, 'latin1');
    h.writeUInt32LE(bext.length, p + 4);
    bext.copy(h, p + 8);
    p += extra;
  }
  h.write('data', p, 'latin1');
  h.writeUInt32LE(dataBytes, p + 4);
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

/** A whole mono WAV file in memory, with a `bext` chunk when its body is given. */
export function encodeWav(samples: ArrayLike<number>, format: Omit<PcmFormat, 'channels'>, bext?: Buffer): Buffer {
  const f: PcmFormat = { ...format, channels: 1 };
  const dataBytes = samples.length * (f.bitsPerSample / 8);
  const header = wavHeader(f, dataBytes, bext);
  const out = Buffer.alloc(header.length + dataBytes + (dataBytes & 1));
  header.copy(out, 0);
  encodeMono(samples, 0, samples.length, f, out, header.length);
  return out;
}
