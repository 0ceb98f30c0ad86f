/**
 * The journal's segment files on disk: `seg-<12-digit number>.journal` in the
 * outbox directory, appended to with one write(2) per record, read back whole on
 * open (a segment is bounded by the segment size) and cut at the first invalid
 * frame. The directory is fsynced after a segment is created or deleted, so the
 * name itself survives a power cut (as well as the bytes).
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { scanFrames } from './frame.ts';

const SEGMENT_NAME = /^seg-(\d{12})\.journal$/;

export function segmentPath(dir: string, n: number): string {
  return join(dir, `seg-${String(n).padStart(12, '0')}.journal`);
}

/** Segment numbers present in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(dir)) {
    const m = SEGMENT_NAME.exec(name);
    if (m !== null) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

export interface SegmentRead {
  readonly buf: Buffer;
  readonly frames: { readonly offset: number; readonly length: number }[];
  /** What was cut off the end, or null when the segment was whole. */
  readonly damage: { readonly detail: string; readonly bytesCut: number } | null;
}

/** Reads a segment, truncating it (durably) at the first invalid frame. */
export function readSegment(dir: string, n: number): SegmentRead {
  const path = segmentPath(dir, n);
  const buf = readFileSync(path);
  const scan = scanFrames(buf);
  if (scan.damage === null) return { buf, frames: scan.frames, damage: null };
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, scan.validEnd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { buf, frames: scan.frames, damage: { detail: scan.damage, bytesCut: buf.length - scan.validEnd } };
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The segment being appended to. */
export class ActiveSegment {
  readonly n: number;
  size = 0;
  private readonly fd: number;

  constructor(dir: string, n: number) {
    this.n = n;
    this.fd = openSync(segmentPath(dir, n), 'wx+');
    fsyncDir(dir);
  }

  /**
   * Appends one framed record; returns the payload offset. A failed write
   * (e.g. ENOSPC) is cut back off before the error is thrown, so the records
   * appended after it are not hidden behind a torn one.
   */
  append(frame: Buffer, headerBytes: number): number {
    let written = 0;
    try {
      while (written < frame.length) written += writeSync(this.fd, frame, written, frame.length - written, this.size + written);
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the scan on the next open cuts it instead
      }
      throw e;
    }
    const off = this.size + headerBytes;
    this.size += frame.length;
    return off;
  }

  sync(): void {
    fsyncSync(this.fd);
  }

  read(off: number, len: number): Buffer {
    return readAt(this.fd, off, len);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads `len` bytes at `off` of an open file. */
export function readAt(fd: number, off: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const r = readSync(fd, buf, got, len - got, off + got);
    if (r === 0) throw new RangeError(`short read: ${got} of ${len} bytes at ${off}`);
    got += r;
  }
  return buf;
}

/** Reads a payload from a closed segment. */
export function readFromSegment(dir: string, n: number, off: number, len: number): Buffer {
  const fd = openSync(segmentPath(dir, n), 'r');
  try {
    return readAt(fd, off, len);
  } finally {
    closeSync(fd);
  }
}

export function removeSegment(dir: string, n: number): void {
  unlinkSync(segmentPath(dir, n));
}
