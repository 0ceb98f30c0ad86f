/**
 * Finds the `fmt ` and `data` chunks of a RIFF WAVE file by positional reads, so a
 * header is parsed without reading the audio. Every way a file can be wrong ends
 * in an EarshotError with a stable code (never a RangeError from a short buffer).
 */
import { EarshotError } from '@earshot/shared';
import {
  KNOWN_UNSUPPORTED,
  type SampleEncoding,
  WAVE_FORMAT_EXTENSIBLE,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_PCM,
  type WavFormat,
  isSupportedPcm,
} from './wav-format.ts';

/** Reads up to `length` bytes at `position`; returns how many were read. */
export type ReadAt = (target: Buffer, length: number, position: number) => number;

/** RIFF chunk sizes of 0xFFFFFFFF mean "unknown" (streaming writers, e.g. arecord to a pipe). */
const SIZE_UNKNOWN = 0xffffffff;
/** Tail of the KSDATAFORMAT_SUBTYPE_* GUIDs (mmreg.h): {0000xxxx-0000-0010-8000-00aa00389b71}. */
const GUID_TAIL = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);

interface FmtFields {
  encoding: SampleEncoding;
  bitsPerSample: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
}

/**
 * Parses the header of a WAV file of `fileSize` bytes. `name` is used in messages.
 */
export function readWavHeader(readAt: ReadAt, fileSize: number, name: string): WavFormat {
  const head = Buffer.alloc(12);
  const got = readAt(head, 12, 0);
  if (got < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') {
    throw new EarshotError('EARSHOT_E_WAV_NOT_RIFF', `${name} does not start with a RIFF WAVE header${sniff(head, got)}`);
  }
  let fmt: FmtFields | null = null;
  let pos = 12;
  const chunkHeader = Buffer.alloc(8);
  for (;;) {
    if (pos + 8 > fileSize) {
      if (fmt === null) throw new EarshotError('EARSHOT_E_WAV_TRUNCATED', `${name} ends after ${fileSize} bytes, before its fmt chunk`);
      throw new EarshotError('EARSHOT_E_WAV_NO_DATA', `${name} has no data chunk`);
    }
    readAt(chunkHeader, 8, pos);
    const id = chunkHeader.toString('latin1', 0, 4);
    const size = chunkHeader.readUInt32LE(4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new EarshotError('EARSHOT_E_WAV_BAD_FORMAT', `${name}: fmt chunk of ${size} bytes (at least 16)`);
      if (body + size > fileSize) throw new EarshotError('EARSHOT_E_WAV_TRUNCATED', `${name} ends inside its fmt chunk`);
      const b = Buffer.alloc(Math.min(size, 40));
      readAt(b, b.length, body);
      fmt = parseFmt(b, name);
    } else if (id === 'data') {
      if (fmt === null) throw new EarshotError('EARSHOT_E_WAV_BAD_FORMAT', `${name}: data chunk before the fmt chunk`);
      return dataFormat(fmt, body, size, fileSize, name);
    }
    // Any other chunk (bext — the clips' own, bext.ts —, LIST, fact, …) is skipped by its size.
    // Chunks are padded to an even size (RIFF: "pad byte if chunk size is odd").
    pos = body + size + (size & 1);
  }
}

function parseFmt(b: Buffer, name: string): FmtFields {
  let tag = b.readUInt16LE(0);
  const channels = b.readUInt16LE(2);
  const sampleRate = b.readUInt32LE(4);
  const blockAlign = b.readUInt16LE(12);
  const bitsPerSample = b.readUInt16LE(14);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (b.length < 40) throw new EarshotError('EARSHOT_E_WAV_BAD_FORMAT', `${name}: WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes`);
    if (!b.subarray(26, 40).equals(GUID_TAIL)) throw new EarshotError('EARSHOT_E_WAV_UNSUPPORTED', `${name}: WAVE_FORMAT_EXTENSIBLE with a non-standard SubFormat GUID`);
    tag = b.readUInt16LE(24);
    // The container size is what is stored; wValidBitsPerSample may be smaller (e.g. 24 in 32): still read the container.
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const known = KNOWN_UNSUPPORTED[tag];
    throw new EarshotError('EARSHOT_E_WAV_UNSUPPORTED', `${name} is ${known ?? `format tag 0x${tag.toString(16).padStart(4, '0')}`}; only PCM integer and IEEE float WAV can be measured`);
  }
  const encoding: SampleEncoding = tag === WAVE_FORMAT_PCM ? 'int' : 'float';
  if (!isSupportedPcm(encoding, bitsPerSample)) {
    throw new EarshotError('EARSHOT_E_WAV_UNSUPPORTED', `${name}: ${bitsPerSample}-bit ${encoding === 'int' ? 'integer' : 'float'} samples (supported: 8/16/24/32-bit integer, 32/64-bit float)`);
  }
  if (channels < 1) throw new EarshotError('EARSHOT_E_WAV_BAD_FORMAT', `${name}: ${channels} channels`);
  if (blockAlign !== channels * (bitsPerSample / 8)) {
    throw new EarshotError('EARSHOT_E_WAV_BAD_FORMAT', `${name}: block align ${blockAlign} does not match ${channels} × ${bitsPerSample}-bit samples`);
  }
  if (sampleRate === 0) throw new EarshotError('EARSHOT_E_WAV_BAD_FORMAT', `${name}: sample rate 0`);
  return { encoding, bitsPerSample, channels, sampleRate, blockAlign };
}

function dataFormat(fmt: FmtFields, dataOffset: number, declared: number, fileSize: number, name: string): WavFormat {
  const available = fileSize - dataOffset;
  let bytes = declared;
  if (declared === SIZE_UNKNOWN) bytes = available;
  else if (declared > available) {
    throw new EarshotError('EARSHOT_E_WAV_TRUNCATED', `${name}: data chunk declares ${declared} bytes but only ${available} follow (${declared - available} missing)`);
  }
  const frames = Math.floor(bytes / fmt.blockAlign);
  if (frames === 0) throw new EarshotError('EARSHOT_E_WAV_NO_DATA', `${name}: data chunk holds ${bytes} bytes, not one whole frame`);
  if (declared !== SIZE_UNKNOWN && bytes % fmt.blockAlign !== 0) {
    throw new EarshotError('EARSHOT_E_WAV_TRUNCATED', `${name}: data ends inside a frame (${bytes % fmt.blockAlign} stray bytes)`);
  }
  return { ...fmt, dataOffset, dataBytes: frames * fmt.blockAlign, frames };
}

/** A hint of what a non-WAV file is, for the message. */
function sniff(head: Buffer, got: number): string {
  if (got === 0) return ' (the file is empty)';
  const s = head.toString('latin1', 0, Math.min(got, 4));
  if (s.startsWith('ID3') || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)) return ' (it looks like MP3)';
  if (s === 'OggS') return ' (it looks like Ogg)';
  if (s === 'fLaC') return ' (it looks like FLAC)';
  if (s === 'RIFX' || s === 'RF64') return ` (${s} is not supported)`;
  return '';
}
