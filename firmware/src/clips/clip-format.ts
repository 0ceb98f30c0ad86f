/**
 * The format a clip is written in: mono PCM integer at the capture's rate and
 * depth, so the clip holds exactly the samples the engine measured. The manifest
 * carries 16/24/32 bits (shared/src/schemas/clip.ts): 8-bit capture is widened to
 * 16 (exact), float capture is written as 32-bit integer (float32's 24-bit
 * mantissa fits with room to spare).
 */
import type { PcmFormat } from '../audio/index.ts';

export function clipFormatOf(capture: PcmFormat): PcmFormat & { bitsPerSample: 16 | 24 | 32 } {
  const bits = capture.encoding === 'int' && (capture.bitsPerSample === 16 || capture.bitsPerSample === 24 || capture.bitsPerSample === 32)
    ? capture.bitsPerSample
    : capture.encoding === 'int' ? 16 : 32;
  return { encoding: 'int', bitsPerSample: bits, channels: 1, sampleRate: capture.sampleRate };
}
