/** Keeps the last non-empty line a child process wrote to stderr (for the status heartbeat). */

/** StatusBody.capture.lastError is at most 500 characters. */
const MAX_LINE = 400;

export class StderrTail {
  private partial = '';
  last: string | null = null;

  push(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = (lines.pop() ?? '').slice(-MAX_LINE);
    for (const line of lines) {
      const t = line.trim();
      if (t !== '') this.last = t.slice(0, MAX_LINE);
    }
  }

  /** The last line, including an unterminated one. */
  lastLine(): string | null {
    const t = this.partial.trim();
    return t !== '' ? t.slice(0, MAX_LINE) : this.last;
  }
}
