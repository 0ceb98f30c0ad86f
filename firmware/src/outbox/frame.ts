/**
 * Framing of journal records: `u32 LE payload length | u32 LE CRC-32 of the
 * payload | payload`. A record whose length runs past the end of the file, is
 * zero or above MAX_PAYLOAD_BYTES, or whose CRC does not match, ends the valid
 * part of a segment: it is a torn write (power cut mid-append) or damage, and
 * everything from it on is cut off. Pure: works on buffers, no I/O.
 */
import { crc32 } from './crc32.ts';

export const FRAME_HEADER_BYTES = 8;
/** Bounds a record so a damaged length cannot make the reader allocate gigabytes; a clip chunk is never journaled, so 4 MiB is ample. */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** Writes the frame of `payload` into a new buffer (one write per record keeps appends atomic per write(2) call). */
export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_PAYLOAD_BYTES) throw new RangeError(`journal record of ${payload.length} bytes`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export interface FrameScan {
  /** Byte offset and length of each valid payload, in order. */
  readonly frames: { readonly offset: number; readonly length: number }[];
  /** End of the last valid frame: where the segment must be cut. */
  readonly validEnd: number;
  /** Why the scan stopped before the end of the buffer, or null when it read it all. */
  readonly damage: string | null;
}

/** Reads frames from the start of `buf` until the end or the first invalid frame. */
export function scanFrames(buf: Buffer): FrameScan {
  const frames: { offset: number; length: number }[] = [];
  let pos = 0;
  let damage: string | null = null;
  while (pos < buf.length) {
    if (buf.length - pos < FRAME_HEADER_BYTES) {
      damage = `torn frame header at byte ${pos}`;
      break;
    }
    const length = buf.readUInt32LE(pos);
    if (length === 0 || length > MAX_PAYLOAD_BYTES) {
      damage = `impossible record length ${length} at byte ${pos}`;
      break;
    }
    const start = pos + FRAME_HEADER_BYTES;
    if (start + length > buf.length) {
      damage = `torn record at byte ${pos} (${length} bytes announced, ${buf.length - start} present)`;
      break;
    }
    if (crc32(buf.subarray(start, start + length)) !== buf.readUInt32LE(pos + 4)) {
      damage = `CRC mismatch at byte ${pos}`;
      break;
    }
    frames.push({ offset: start, length });
    pos = start + length;
  }
  return { frames, validEnd: pos, damage };
}
