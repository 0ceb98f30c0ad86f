/**
 * The format of a PCM WAV file's audio, as read from its `fmt ` chunk.
 * Microsoft RIFF WAVE: WAVE_FORMAT_PCM (1), WAVE_FORMAT_IEEE_FLOAT (3) and
 * WAVE_FORMAT_EXTENSIBLE (0xFFFE) whose SubFormat GUID names one of those two.
 */

export type SampleEncoding = 'int' | 'float';

export interface PcmFormat {
  encoding: SampleEncoding;
  /** 8, 16, 24 or 32 for int (8-bit WAV is unsigned); 32 or 64 for float. */
  bitsPerSample: number;
  channels: number;
  sampleRate: number;
}

export interface WavFormat extends PcmFormat {
  /** Bytes per frame (all channels of one sample instant). */
  blockAlign: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of whole frames in the data chunk. */
  dataBytes: number;
  frames: number;
}

/** Format tags (mmreg.h). */
export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_ALAW = 0x0006;
export const WAVE_FORMAT_MULAW = 0x0007;
export const WAVE_FORMAT_MPEGLAYER3 = 0x0055;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Names of tags we refuse, so the message says what the file is. */
export const KNOWN_UNSUPPORTED: Readonly<Record<number, string>> = {
  [WAVE_FORMAT_ALAW]: 'A-law',
  [WAVE_FORMAT_MULAW]: 'μ-law',
  [0x0002]: 'Microsoft ADPCM',
  [0x0011]: 'IMA ADPCM',
  [0x0050]: 'MPEG',
  [WAVE_FORMAT_MPEGLAYER3]: 'MP3',
  [0x0031]: 'GSM 6.10',
};

/** Bytes of one sample of the format. */
export function bytesPerSample(f: PcmFormat): number {
  return f.bitsPerSample / 8;
}

export function isSupportedPcm(encoding: SampleEncoding, bits: number): boolean {
  return encoding === 'int' ? bits === 8 || bits === 16 || bits === 24 || bits === 32 : bits === 32 || bits === 64;
}
