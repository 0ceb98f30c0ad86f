/** Small audio files by their real headers, for the content checks (audio-type.ts). */

/** A 16-bit mono PCM WAV of a 440 Hz tone. */
export function wavBytes(seconds: number, rate = 8000): Buffer {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

/** The start of a WebM file as Chrome's MediaRecorder writes it: EBML header (DocType "webm"), a track with CodecID A_OPUS. */
export function webmBytes(codec = 'A_OPUS'): Buffer {
  const ebml = Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84]);
  const codecId = Buffer.concat([Buffer.from([0x86, 0x80 | codec.length]), Buffer.from(codec, 'ascii')]);
  return Buffer.concat([ebml, Buffer.from('webm', 'ascii'), Buffer.from([0x42, 0x87, 0x81, 0x04, 0x18, 0x53, 0x80, 0x67]), Buffer.alloc(40, 0x11), codecId, Buffer.alloc(200, 0x22)]);
}

/** An Ogg page carrying an Opus identification header (RFC 7845 §5.1). */
export function oggBytes(): Buffer {
  return Buffer.concat([Buffer.from('OggS', 'ascii'), Buffer.from([0, 2]), Buffer.alloc(22, 0), Buffer.from([1, 19]), Buffer.from('OpusHead', 'ascii'), Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]), Buffer.alloc(100, 0x33)]);
}

/** An MP4 with an ftyp box and a sound handler (ISO/IEC 14496-12 §8.4.3), as Safari's recorder writes. */
export function mp4Bytes(handler = 'soun'): Buffer {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypM4A \0\0\0\0isom', 'latin1')]);
  const hdlr = Buffer.concat([Buffer.from([0, 0, 0, 33]), Buffer.from('hdlr', 'ascii'), Buffer.alloc(8, 0), Buffer.from(handler, 'ascii'), Buffer.alloc(13, 0)]);
  return Buffer.concat([ftyp, Buffer.from([0, 0, 0, 8]), Buffer.from('moov', 'ascii'), hdlr, Buffer.alloc(100, 0x44)]);
}
