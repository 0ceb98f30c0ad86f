/**
 * Buffered line output to a stream: lines are joined into ~64 KiB writes, and a
 * closed pipe (`earshot-device analyze f.wav | head`) ends output quietly.
 */
import type { Writable } from 'node:stream';

const FLUSH_AT = 64 * 1024;

export class LineWriter {
  private readonly stream: Writable;
  private pending: string[] = [];
  private size = 0;
  private broken = false;

  constructor(stream: Writable) {
    this.stream = stream;
    stream.on('error', () => {
      this.broken = true;
    });
  }

  line(text: string): void {
    if (this.broken) return;
    this.pending.push(text);
    this.size += text.length + 1;
    if (this.size >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0 || this.broken) return;
    this.stream.write(`${this.pending.join('\n')}\n`);
    this.pending = [];
    this.size = 0;
  }

  /** Flushes what is left and waits until the stream has taken it. */
  end(): Promise<void> {
    this.flush();
    if (this.broken) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.write('', () => resolve());
    });
  }
}
