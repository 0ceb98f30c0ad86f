/**
 * Maximum MQTT packet size, enforced on the bytes before aedes parses them:
 * the fixed header's Remaining Length [MQTT-2.2.3] is read as it arrives and a
 * connection announcing a larger packet is cut before the packet is buffered.
 * (aedes 1.2 has no packet size option.) Until the connection is
 * authenticated the limit is a CONNECT's (issue 11: a partial CONNECT
 * announcing 4 MiB was buffered for 30 s), and the connection must be
 * authenticated by a deadline.
 */
import { Duplex } from 'node:stream';

/** Incremental reader of MQTT fixed headers over a byte stream. */
export class FrameSizeGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private maxPacketBytes: number) {}

  /** Raises (or lowers) the limit for the packets whose headers come next. */
  setLimit(maxPacketBytes: number): void {
    this.maxPacketBytes = maxPacketBytes;
  }

  /** Returns null while every packet fits, else the announced size (or -1 for a malformed length). */
  feed(chunk: Buffer): number | null {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === 'body') {
        const take = Math.min(this.remaining, n - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'type';
      } else if (this.state === 'type') {
        i++;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else {
        const b = chunk[i++]!;
        this.length += (b & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        // [MQTT-2.2.3] Remaining Length is at most four bytes.
        if ((b & 0x80) !== 0) {
          if (this.lengthBytes >= 4) return -1;
          continue;
        }
        const total = 1 + this.lengthBytes + this.length;
        if (total > this.maxPacketBytes) return total;
        this.remaining = this.length;
        this.state = this.remaining > 0 ? 'body' : 'type';
      }
    }
    return null;
  }
}

export interface GuardOptions {
  /** The limit once authenticated. */
  readonly maxPacketBytes: number;
  /** The limit before. */
  readonly preAuthMaxBytes: number;
  readonly deadlineMs: number;
  readonly onTooLarge: (announced: number, authenticated: boolean) => void;
  readonly onDeadline: () => void;
  /** Once, when the connection is authenticated or closes before. */
  readonly onSettled: () => void;
}

/** The socket as aedes sees it, with the guard on its incoming bytes. */
export class GuardedConnection extends Duplex {
  private readonly guard: FrameSizeGuard;
  private authenticated = false;
  private settled = false;
  private readonly deadline: NodeJS.Timeout;

  constructor(private readonly socket: Duplex, private readonly opts: GuardOptions, readonly remote: string) {
    super({ allowHalfOpen: false });
    this.guard = new FrameSizeGuard(opts.preAuthMaxBytes);
    this.deadline = setTimeout(() => {
      if (this.authenticated) return;
      opts.onDeadline();
      this.destroy();
    }, opts.deadlineMs);
    this.deadline.unref();
    socket.on('data', (chunk: Buffer) => {
      const bad = this.guard.feed(chunk);
      if (bad !== null) {
        opts.onTooLarge(bad, this.authenticated);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => this.destroy());
  }

  /** The CONNECT was accepted: the full packet limit applies from the next packet. */
  markAuthenticated(): void {
    if (this.authenticated) return;
    this.authenticated = true;
    clearTimeout(this.deadline);
    this.guard.setLimit(this.opts.maxPacketBytes);
    this.settle();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.opts.onSettled();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    clearTimeout(this.deadline);
    this.settle();
    this.socket.destroy();
    cb(err);
  }
}
