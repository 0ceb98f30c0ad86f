export { WavFileReader, readWavChannel } from './wav-file.ts';
export { readWavHeader, type ReadAt } from './wav-header.ts';
export { decodeChannel } from './pcm-decode.ts';
export { WAV_HEADER_BYTES, wavHeader, encodeMono, encodeWav } from './wav-write.ts';
export type { PcmFormat, WavFormat, SampleEncoding } from './wav-format.ts';
export { BEXT_FIXED_BYTES, type BextFields, type BextInfo, encodeBext, parseBext } from './bext.ts';
export { readBext, readBextFile } from './bext-read.ts';
