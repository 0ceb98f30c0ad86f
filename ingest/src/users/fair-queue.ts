/**
 * A bounded, fair queue for slow work (password and older device-secret
 * hashing, issue 11): at most `concurrency` tasks run at once, so the libuv
 * thread pool (4 threads by default, shared with file reads) always has room
 * for the web view; waiting tasks are taken round robin over their sources, so
 * one flooding address delays another by at most one task each; and a source
 * may hold at most `maxPerSource` tasks (running or waiting), the queue
 * `maxQueued` in all: beyond that `run` refuses at once, with no work done.
 */

export interface FairQueueOptions {
  readonly concurrency: number;
  readonly maxPerSource: number;
  readonly maxQueued: number;
}

export class QueueFullError extends Error {
  constructor(readonly source: string, readonly scope: 'source' | 'queue') {
    super(scope === 'source' ? `busy: ${source} already has its share of checks waiting` : 'busy: too many checks waiting');
  }
}

interface Waiting {
  readonly start: () => void;
}

export class FairQueue {
  private running = 0;
  private admitted = 0;
  private readonly perSource = new Map<string, number>();
  /** Sources with waiting tasks, in round-robin order (a Map keeps insertion order). */
  private readonly waiting = new Map<string, Waiting[]>();
  private lastServed: string | null = null;

  constructor(private readonly opts: FairQueueOptions) {}

  /** Whether `run(source, …)` would be admitted now. */
  hasRoom(source: string): boolean {
    return this.admitted < this.opts.maxQueued && (this.perSource.get(source) ?? 0) < this.opts.maxPerSource;
  }

  /** Throws QueueFullError synchronously when refused; otherwise the task's result, once it has run. */
  run<T>(source: string, task: () => Promise<T>): Promise<T> {
    const held = this.perSource.get(source) ?? 0;
    if (held >= this.opts.maxPerSource) throw new QueueFullError(source, 'source');
    if (this.admitted >= this.opts.maxQueued) throw new QueueFullError(source, 'queue');
    this.perSource.set(source, held + 1);
    this.admitted++;
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        this.lastServed = source;
        let p: Promise<T>;
        try {
          p = task();
        } catch (e) {
          p = Promise.reject(e);
        }
        p.then(resolve, reject).finally(() => this.done(source));
      };
      if (this.running < this.opts.concurrency && this.waiting.size === 0) start();
      else {
        const list = this.waiting.get(source);
        if (list === undefined) this.waiting.set(source, [{ start }]);
        else list.push({ start });
      }
    });
  }

  private done(source: string): void {
    this.running--;
    this.admitted--;
    const held = (this.perSource.get(source) ?? 1) - 1;
    if (held === 0) this.perSource.delete(source);
    else this.perSource.set(source, held);
    this.next();
  }

  private next(): void {
    while (this.running < this.opts.concurrency && this.waiting.size > 0) {
      let [source, list] = this.waiting.entries().next().value as [string, Waiting[]];
      if (source === this.lastServed && this.waiting.size > 1) {
        // The source served last waits behind the others.
        this.waiting.delete(source);
        this.waiting.set(source, list);
        [source, list] = this.waiting.entries().next().value as [string, Waiting[]];
      }
      const w = list.shift()!;
      // Round robin: this source goes to the back of the line.
      this.waiting.delete(source);
      if (list.length > 0) this.waiting.set(source, list);
      w.start();
    }
  }
}
