/**
 * Group commit: the PUBLISHes that arrive in one turn of the event loop go
 * through the pipeline in one transaction (one fsync), and each is acknowledged
 * only after that transaction has committed (DESIGN §4: acknowledged means stored).
 *
 * With prepare workers (issue 19) a message first has its signature checked
 * and its body parsed on a worker (Pipeline.prepare); messages are committed in
 * the order they arrived all the same — the batch is the longest run, from the
 * oldest, of messages that are ready — so a device's messages are stored in the
 * order it sent them, whichever worker prepared them. A message whose worker
 * died is answered null: not acknowledged, sent again by the device.
 *
 * On PostgreSQL (storage/postgres/ingest-batch/) a batch commits asynchronously:
 * one batch is in flight at a time, what arrives meanwhile waits for the next,
 * so a device's messages still commit in the order they arrived.
 */
import type { Logger } from 'pino';
import type { Incoming, Outcome } from '../pipeline/types.ts';

/** What group commit needs of a pipeline: SQLite's commits in the call, PostgreSQL's in a promise. */
export interface BatchPipeline {
  /** Starts a message's worker steps; false when it needs none (ready at once). */
  prepare(msg: Incoming, ready: (ok: boolean) => void): boolean;
  processBatch(msgs: readonly Incoming[]): Outcome[] | Promise<Outcome[]>;
}

/** Bounds one transaction, so a burst cannot hold the event loop for long. */
export const MAX_BATCH = 512;

type Done = (outcome: Outcome | null) => void;

/** 0: waiting for its worker; 1: ready to commit; 2: its worker died (answer null). */
type State = 0 | 1 | 2;

export class GroupCommit {
  // Arrival order; [head, length) are waiting. Parallel arrays: no object per message.
  private msgs: Incoming[] = [];
  private dones: Done[] = [];
  private states: State[] = [];
  private head = 0;
  /** The arrival number of msgs[0]. */
  private base = 0;
  private scheduled = false;
  private readonly batchMsgs: Incoming[] = [];
  private readonly batchDones: Done[] = [];
  /** The batch being committed asynchronously, if any. */
  private inFlight: Promise<void> | null = null;

  constructor(private readonly pipeline: BatchPipeline, private readonly logger: Logger) {}

  /** `done` gets the outcome once committed, or null when nothing could be stored (the message must not be acknowledged). */
  push(msg: Incoming, done: Done): void {
    const n = this.base + this.msgs.length;
    this.msgs.push(msg);
    this.dones.push(done);
    this.states.push(0);
    // A message waiting for its worker is never dropped from the arrays, so it stays at n - base.
    const preparing = this.pipeline.prepare(msg, (ok) => {
      this.states[n - this.base] = ok ? 1 : 2;
      this.schedule();
    });
    if (!preparing) {
      this.states[n - this.base] = 1;
      this.schedule();
    }
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Runs everything ready now, oldest first, stopping at the first message still being prepared. */
  flush(): void {
    this.scheduled = false;
    // An asynchronous commit in flight: what is ready goes in the next batch, once it has committed.
    if (this.inFlight !== null) return;
    for (;;) {
      const bm = this.batchMsgs;
      const bd = this.batchDones;
      bm.length = 0;
      bd.length = 0;
      while (this.head < this.msgs.length && bm.length < MAX_BATCH) {
        const s = this.states[this.head]!;
        if (s === 0) break;
        const msg = this.msgs[this.head]!;
        const done = this.dones[this.head]!;
        this.head++;
        if (s === 2) done(null);
        else {
          bm.push(msg);
          bd.push(done);
        }
      }
      this.compact();
      if (bm.length === 0) return;
      let outcomes: Outcome[] | Promise<Outcome[]> | null = null;
      try {
        outcomes = this.pipeline.processBatch(bm);
      } catch (e) {
        this.failed(e, bm.length);
      }
      // Copied first: a callback may push (and so flush) again.
      const dones = bd.slice();
      if (outcomes instanceof Promise) {
        this.inFlight = outcomes.then(
          (o) => answer(dones, o),
          (e: unknown) => {
            this.failed(e, dones.length);
            answer(dones, null);
          },
        ).finally(() => {
          this.inFlight = null;
          this.flush();
        });
        return;
      }
      answer(dones, outcomes);
    }
  }

  /** Resolves once nothing is being committed (after flush(): what was ready is committed and answered). */
  async settled(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
  }

  private failed(e: unknown, messages: number): void {
    this.logger.error({ err: e, messages }, 'batch could not be stored; not acknowledged');
  }

  /** Drops the answered prefix once it is most of the arrays. */
  private compact(): void {
    if (this.head === this.msgs.length) {
      this.base += this.head;
      this.msgs.length = 0;
      this.dones.length = 0;
      this.states.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.msgs.length) {
      this.base += this.head;
      this.msgs = this.msgs.slice(this.head);
      this.dones = this.dones.slice(this.head);
      this.states = this.states.slice(this.head);
      this.head = 0;
    }
  }
}

function answer(dones: readonly Done[], outcomes: readonly Outcome[] | null): void {
  for (let i = 0; i < dones.length; i++) dones[i]!(outcomes === null ? null : outcomes[i]!);
}
