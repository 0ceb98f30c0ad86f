/**
 * Raw interleaved PCM chunks, as a pipe delivers them (any length, frames split
 * across reads), → fixed blocks of mono floats. One preallocated byte buffer of
 * exactly one block of whole frames is filled and decoded when full: a frame split
 * across two chunks is simply completed by the next copy. Nothing is allocated per
 * chunk or per block (no Buffer.concat: STYLE.md "Preallocate").
 */
import { type PcmFormat, decodeChannel } from '../audio/index.ts';

export class PcmBlocker {
  readonly blockFrames: number;
  /** Decoded samples of the block being delivered (reused). */
  readonly samples: Float64Array;
  private readonly raw: Buffer;
  private fill = 0;

  constructor(
    readonly format: PcmFormat,
    readonly channel: number,
    blockFrames: number,
    private readonly onBlock: (samples: Float64Array, frames: number) => void,
  ) {
    this.blockFrames = blockFrames;
    this.raw = Buffer.alloc(blockFrames * format.channels * (format.bitsPerSample / 8));
    this.samples = new Float64Array(blockFrames);
  }

  /** Bytes held that do not yet make a whole block. */
  get pendingBytes(): number {
    return this.fill;
  }

  push(chunk: Buffer): void {
    const raw = this.raw;
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(raw.length - this.fill, chunk.length - at);
      chunk.copy(raw, this.fill, at, at + n);
      this.fill += n;
      at += n;
      if (this.fill === raw.length) {
        this.fill = 0;
        decodeChannel(raw, 0, this.blockFrames, this.format, this.channel, this.samples);
        this.onBlock(this.samples, this.blockFrames);
      }
    }
  }

  /** Drops a partial block (after the producer died: its tail is not continuous with what follows). */
  discard(): void {
    this.fill = 0;
  }
}
