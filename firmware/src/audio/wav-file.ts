/**
 * Reads a WAV file from disk in blocks: one channel decoded into a caller's
 * Float64Array, through one preallocated read buffer and its sample views
 * (no allocation per block).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { EarshotError } from '@earshot/shared';
import { SampleViews, decodeChannel, decodeChannelViews } from './pcm-decode.ts';
import type { WavFormat } from './wav-format.ts';
import { readWavHeader } from './wav-header.ts';

const DEFAULT_BLOCK_FRAMES = 16_384;

export class WavFileReader {
  readonly format: WavFormat;
  readonly channel: number;
  private readonly fd: number;
  private readonly buffer: Buffer;
  private readonly views: SampleViews | null;
  private readonly blockFrames: number;
  private framesRead = 0;
  private closed = false;

  private constructor(fd: number, format: WavFormat, channel: number, blockFrames: number) {
    this.fd = fd;
    this.format = format;
    this.channel = channel;
    this.blockFrames = blockFrames;
    this.buffer = Buffer.alloc(blockFrames * format.blockAlign);
    this.views = SampleViews.of(this.buffer);
  }

  /** Opens `path` and parses its header; throws EarshotError on any problem. */
  static open(path: string, options: { channel?: number; blockFrames?: number } = {}): WavFileReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${path} is not a regular file`);
      const format = readWavHeader((b, n, p) => readSync(fd, b, 0, n, p), stat.size, path);
      const channel = options.channel ?? 0;
      if (!Number.isInteger(channel) || channel < 0 || channel >= format.channels) {
        throw new EarshotError('EARSHOT_E_CHANNEL_RANGE', `channel ${channel} of a ${format.channels}-channel file (channels count from 0)`);
      }
      return new WavFileReader(fd, format, channel, options.blockFrames ?? DEFAULT_BLOCK_FRAMES);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Frames still to read. */
  get remaining(): number {
    return this.format.frames - this.framesRead;
  }

  /** Largest number of frames one `read` returns. */
  get maxBlockFrames(): number {
    return this.blockFrames;
  }

  /** Decodes the next block into `out` (length ≥ maxBlockFrames); returns frames read, 0 at the end. */
  read(out: Float64Array): number {
    const frames = Math.min(this.remaining, this.blockFrames, out.length);
    if (frames === 0) return 0;
    const f = this.format;
    const want = frames * f.blockAlign;
    const pos = f.dataOffset + this.framesRead * f.blockAlign;
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, this.buffer, got, want - got, pos + got);
      if (n === 0) throw new EarshotError('EARSHOT_E_WAV_TRUNCATED', `file shrank while reading (at byte ${pos + got})`);
      got += n;
    }
    if (this.views === null || !decodeChannelViews(this.views, frames, f, this.channel, out)) decodeChannel(this.buffer, 0, frames, f, this.channel, out);
    this.framesRead += frames;
    return frames;
  }

  /** Goes back to the first frame (for looped replay). */
  rewind(): void {
    this.framesRead = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The whole of one channel of a WAV file (for tests, calibration and short clips). */
export function readWavChannel(path: string, channel = 0): { format: WavFormat; samples: Float64Array } {
  const reader = WavFileReader.open(path, { channel });
  try {
    const samples = new Float64Array(reader.format.frames);
    const block = new Float64Array(reader.maxBlockFrames);
    let at = 0;
    for (let n = reader.read(block); n > 0; n = reader.read(block)) {
      samples.set(block.subarray(0, n), at);
      at += n;
    }
    return { format: reader.format, samples };
  } finally {
    reader.close();
  }
}
