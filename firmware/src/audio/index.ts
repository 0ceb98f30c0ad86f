export { WavFileReader, readWavChannel } from './wav-file.ts';
export { readWavHeader, type ReadAt } from './wav-header.ts';
export { decodeChannel } from './pcm-decode.ts';
export { WAV_HEADER_BYTES, wavHeader, encodeMono, encodeWav } from './wav-write.ts';
export type { PcmFormat, WavFormat, SampleEncoding } from './wav-format.ts';
