/**
 * Builds WAV files byte by byte for tests, independently of firmware/src/audio's
 * writer, so the reader is checked against the RIFF layout itself.
 */

export interface BuildOptions {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  data: Buffer;
  /** Write WAVE_FORMAT_EXTENSIBLE with this SubFormat tag. */
  extensibleSubFormat?: number;
  /** Chunks placed before fmt and between fmt and data (odd sizes get a pad byte). */
  before?: { id: string; body: Buffer }[];
  between?: { id: string; body: Buffer }[];
  /** Overrides the data chunk's declared size. */
  declaredDataBytes?: number;
}

function chunk(id: string, body: Buffer, declared = body.length): Buffer {
  const h = Buffer.alloc(8);
  h.write(id, 0, 'latin1');
  h.writeUInt32LE(declared, 4);
  return Buffer.concat([h, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export function buildWav(o: BuildOptions): Buffer {
  const blockAlign = o.channels * (o.bitsPerSample / 8);
  const ext = o.extensibleSubFormat !== undefined;
  const fmt = Buffer.alloc(ext ? 40 : 16);
  fmt.writeUInt16LE(ext ? 0xfffe : o.formatTag, 0);
  fmt.writeUInt16LE(o.channels, 2);
  fmt.writeUInt32LE(o.sampleRate, 4);
  fmt.writeUInt32LE(o.sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(o.bitsPerSample, 14);
  if (ext) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(o.bitsPerSample, 18);
    fmt.writeUInt32LE(0, 20);
    fmt.writeUInt16LE(o.extensibleSubFormat!, 24);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(fmt, 26);
  }
  const parts = [
    ...(o.before ?? []).map((c) => chunk(c.id, c.body)),
    chunk('fmt ', fmt),
    ...(o.between ?? []).map((c) => chunk(c.id, c.body)),
    chunk('data', o.data, o.declaredDataBytes),
  ];
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + body.length, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

/** Interleaves per-channel float samples into little-endian PCM of the given kind. */
export function pcm(channels: number[][], kind: 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64'): Buffer {
  const bytes = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[kind];
  const frames = channels[0]!.length;
  const out = Buffer.alloc(frames * channels.length * bytes);
  let p = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      const x = ch[i]!;
      switch (kind) {
        case 'u8': out.writeUInt8(Math.round(x * 128) + 128, p); break;
        case 's16': out.writeInt16LE(Math.round(x * 32768), p); break;
        case 's24': out.writeIntLE(Math.round(x * 8388608), p, 3); break;
        case 's32': out.writeInt32LE(Math.round(x * 2147483648), p); break;
        case 'f32': out.writeFloatLE(x, p); break;
        case 'f64': out.writeDoubleLE(x, p); break;
      }
      p += bytes;
    }
  }
  return out;
}
