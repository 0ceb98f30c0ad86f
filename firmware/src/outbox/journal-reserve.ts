/**
 * Space kept for the journal when the disk fills (issue 18): a file of zeros,
 * `reserve.bin` in the outbox folder, written out in full (not sparse, so its
 * blocks are really allocated on ext4 and its pages on tmpfs). When an append
 * meets ENOSPC the outbox gives back part of it (ftruncate frees the blocks at
 * once) and retries, so events, heartbeats, gap records, signatures and acks
 * still reach the journal on a full disk; the 1 s level records wait in memory
 * instead (memory-hold.ts). Refilled once space returns.
 */
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * 1 MiB: a heartbeat journals ≈ 4 KiB (body, signed copy, ack), an event ≈ 2 KiB,
 * so the reserve carries a full disk through ≈ 4 hours of 60 s heartbeats plus
 * a night's events; it costs 1/16 000 of a 16 GB SD card.
 */
export const DEFAULT_RESERVE_BYTES = 1024 * 1024;
/** Given back in steps of this much, so a full disk costs one ftruncate per ≈ 16 small appends. */
const STEP_BYTES = 64 * 1024;
const ZEROS = Buffer.alloc(STEP_BYTES);

export class JournalReserve {
  private fd: number;
  private size: number;

  constructor(dir: string, readonly target: number) {
    this.fd = openSync(join(dir, 'reserve.bin'), constants.O_RDWR | constants.O_CREAT, 0o600);
    this.size = fstatSync(this.fd).size;
    if (this.size > target) {
      ftruncateSync(this.fd, target);
      this.size = target;
    }
    this.refill();
  }

  /** Bytes still held back. */
  get bytes(): number {
    return this.size;
  }

  /** Frees at least `need` bytes (in whole steps) for the journal; false when the reserve is spent. */
  release(need: number): boolean {
    if (this.size === 0) return false;
    const give = Math.min(this.size, Math.ceil(need / STEP_BYTES) * STEP_BYTES);
    this.size -= give;
    ftruncateSync(this.fd, this.size);
    return true;
  }

  /** Grows the reserve back towards its target; stops quietly at the first ENOSPC. Returns whether it is full. */
  refill(): boolean {
    if (this.size >= this.target) return true;
    try {
      while (this.size < this.target) {
        const n = Math.min(STEP_BYTES, this.target - this.size);
        this.size += writeSync(this.fd, ZEROS, 0, n, this.size);
      }
      fsyncSync(this.fd);
      return true;
    } catch {
      // ENOSPC (or a failing card): keep what was written; the next refill tries again.
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // nothing more to do; the size is re-read at the next open
      }
      return false;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}
