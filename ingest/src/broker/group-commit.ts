/**
 * Group commit: the PUBLISHes that arrive in one turn of the event loop go
 * through the pipeline in one transaction (one fsync), and each is acknowledged
 * only after that transaction has committed (DESIGN §4: acknowledged means stored).
 */
import type { Logger } from 'pino';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { Incoming, Outcome } from '../pipeline/types.ts';

/** Bounds one transaction, so a burst cannot hold the event loop for long. */
export const MAX_BATCH = 512;

type Done = (outcome: Outcome | null) => void;

export class GroupCommit {
  private readonly msgs: Incoming[] = [];
  private readonly dones: Done[] = [];
  private scheduled = false;

  constructor(private readonly pipeline: Pipeline, private readonly logger: Logger) {}

  /** `done` gets the outcome once committed, or null when nothing could be stored (the message must not be acknowledged). */
  push(msg: Incoming, done: Done): void {
    this.msgs.push(msg);
    this.dones.push(done);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Runs everything queued now. */
  flush(): void {
    this.scheduled = false;
    while (this.msgs.length > 0) {
      const msgs = this.msgs.splice(0, MAX_BATCH);
      const dones = this.dones.splice(0, MAX_BATCH);
      let outcomes: Outcome[] | null = null;
      try {
        outcomes = this.pipeline.processBatch(msgs);
      } catch (e) {
        this.logger.error({ err: e, messages: msgs.length }, 'batch could not be stored; not acknowledged');
      }
      for (let i = 0; i < dones.length; i++) dones[i]!(outcomes === null ? null : outcomes[i]!);
    }
  }
}
