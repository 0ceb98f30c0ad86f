/**
 * Stored receipts, the ingest's side (DESIGN §4 "Stored receipts"): after a
 * commit, one signed, retained QoS 1 receipt per device the commit touched, on
 * earshot/v1/<id>/receipt, whose `stored` is the highest n such that every
 * signed message of that device with seq ≤ n is durably stored or durably
 * quarantined. The monitor drops journal entries only on such a receipt.
 *
 * - committed() runs right after the pipeline's transaction: it only notes which
 *   devices the batch touched (no work per message beyond that), so the PUBACKs
 *   are not held up; the receipts follow on the next turn of the event loop, at
 *   most one per device however many batches came meanwhile.
 * - Receipts are signed at most RECEIPT_RATE.perSecond a second (after a burst):
 *   an Ed25519 signature and its publish cost about as much as the message's
 *   own store (issue 19), and one receipt covers every commit before it. While
 *   the budget holds, a device's receipt waits its turn, first in first out,
 *   and covers everything committed for it meanwhile: a small fleet gets a
 *   receipt per commit, 10,000 monitors each one every ~20 s (their journals'
 *   resend timeout is two minutes, firmware uplink.ts RECEIPT_TIMEOUT_MS).
 * - The mark moves forward through seqs that are in the message ledger (a clip
 *   manifest only once all its chunks are stored: coverage.ts) or that this
 *   process saw durably quarantined. A quarantined message counts when its
 *   envelope names the device that sent it on its own topic and the row keeps
 *   its bytes (not merely counted past the quota); its seq is remembered in
 *   memory only: after a restart such a gap holds the mark back until the
 *   monitor resends the message and it is quarantined again (on PostgreSQL,
 *   or until a mark past it written by another process is read).
 * - A duplicate (the monitor resending what it saw no receipt for) gets the
 *   current receipt again, and so does the first commit of each device after a
 *   start: a receipt lost with a restarted broker's memory is made good.
 * - Marks are written to receipt_marks a few seconds later, in one transaction:
 *   only a lower bound to start from, the ledger is the truth.
 * - One core for both stores, reading through a port (coverage-port.ts). On
 *   SQLite each seq is a synchronous point lookup, as it always was. On
 *   PostgreSQL several processes may store a device's seqs, so the drain loads
 *   what its devices' walks read in one query first (the stored mark, the
 *   ledger's seqs above it), then runs the same walk over that view. One drain
 *   at a time: what is committed during the query waits for the next.
 */
import type { KeyObject } from 'node:crypto';
import { encodeReceipt, openEnvelope, parseTopic, topics } from '@earshot/shared';
import type { Logger } from 'pino';
import { Budget, type BucketOptions } from '../broker/rate-limit.ts';
import type { Incoming, Outcome } from '../pipeline/types.ts';
import type { AsyncReceiptCoverage, CoverageView, ReceiptCoverage, SyncReceiptCoverage } from './coverage-port.ts';

/** Publishes one retained QoS 1 message (the embedded broker, or an external broker's client). */
export type ReceiptPublish = (topic: string, payload: Buffer) => void;

/** How long a receipted mark may wait to be written: a crash only makes the next start read a few seconds of ledger again. */
export const MARK_WRITE_MS = 5_000;

/**
 * Receipts signed per second, after a burst. An Ed25519 signature is ~60 µs of CPU here
 * (bench/ingest-load/store-path.ts), so 500 a second is ~3 % of a core; a device waits about
 * (devices with something new) / 500 s for its receipt: ~20 s at 10,000 monitors, ~40 s at 20,000.
 */
export const RECEIPT_RATE: BucketOptions = { burst: 1_000, perSecond: 500 };
/** While the budget is spent, how often what waits is drained (25 receipts a time at 500/s). */
const DRAIN_EVERY_MS = 50;
/** Receipts signed in one turn of the event loop at most (~60 µs each): a burst must not hold the PUBACKs up. */
export const MAX_PER_TURN = 64;
/** Devices a flush loads in one query on PostgreSQL (a flush is not held to the rate). */
const FLUSH_CHUNK = 1_000;

export interface ReceiptsOptions<S extends ReceiptCoverage = ReceiptCoverage> {
  /** Coverage and marks: sqliteReceiptCoverage(db), or pgReceiptCoverage(pool) on PostgreSQL. */
  readonly coverage: S;
  /** The server's Ed25519 private key (evidence/server-key.ts), the one the monitors were provisioned with. */
  readonly serverKey: KeyObject;
  readonly logger: Logger;
  readonly publish?: ReceiptPublish;
  readonly markWriteMs?: number;
  /** Receipts signed per second (RECEIPT_RATE by default). */
  readonly rate?: BucketOptions;
  readonly now?: () => number;
}

interface ReceiptsCommon {
  /** After each commit (Pipeline.processBatch): the outcomes in the order of `msgs`. Never throws. */
  committed(msgs: readonly Incoming[], outcomes: readonly Outcome[]): void;
  /** Where receipts go (the broker starts after the pipeline). */
  attach(publish: ReceiptPublish): void;
}

/** On SQLite: everything synchronous. */
export interface Receipts extends ReceiptsCommon {
  /** The seq receipted to a device now, -1 for none. */
  mark(device: string): number;
  /** Publishes every receipt pending now, whatever the rate (normally they go on the next turn of the event loop, at RECEIPT_RATE). */
  flush(): void;
  /** Publishes what is pending and writes the marks. */
  close(): void;
}

/** On PostgreSQL: what reads or writes the database is asynchronous. */
export interface AsyncReceipts extends ReceiptsCommon {
  /** The seq receipted to a device now (the higher of this process's and the stored mark), -1 for none. */
  mark(device: string): Promise<number>;
  /** Publishes every receipt pending now, whatever the rate; resolves once they are published. */
  flush(): Promise<void>;
  /** Publishes what is pending and writes the marks; takes no more commits. */
  close(): Promise<void>;
}

interface Picked {
  readonly device: string;
  /** It resent something already receipted (a duplicate) before it was picked. */
  readonly resent: boolean;
  /** A budget token was taken for it. */
  readonly token: boolean;
}

export function createReceipts(opts: ReceiptsOptions<SyncReceiptCoverage>): Receipts;
export function createReceipts(opts: ReceiptsOptions<AsyncReceiptCoverage>): AsyncReceipts;
export function createReceipts(opts: ReceiptsOptions): Receipts | AsyncReceipts {
  const { coverage, logger } = opts;
  const now = opts.now ?? Date.now;
  // SQLite: one process per file, so the mark in memory stays the truth once read. PostgreSQL: every drain's view.
  const sync = coverage.load === undefined;

  let publish: ReceiptPublish | null = opts.publish ?? null;
  const marks = new Map<string, number>();
  /** Seqs seen durably quarantined above the mark, per device. */
  const quarantined = new Map<string, Set<number>>();
  // The devices touched and not yet receipted, in the order they were first touched (a Set keeps insertion order:
  // the queue of the budget), and those that resent something already receipted.
  const touched = new Set<string>();
  const again = new Set<string>();
  const dirty = new Set<string>();
  /** Devices this process has sent a receipt: the first commit of each after a start sends one (the broker may have lost the retained copy). */
  const sentOnce = new Set<string>();
  const rate = opts.rate ?? RECEIPT_RATE;
  const budget = new Budget(rate, now());
  /** A drain is due: on the next turn (immediate), or once the budget has refilled (timer). */
  let immediate: NodeJS.Immediate | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  /** PostgreSQL: the drain under way (its query out), and how many flushes wait on drains. */
  let running: Promise<void> | null = null;
  let flushing = 0;
  /** PostgreSQL: tokens taken for devices whose receipt then changed nothing, spent first next time (such a device costs none). */
  let credit = 0;

  const send = (device: string, stored: number): void => {
    if (publish === null) return;
    try {
      publish(topics.receipt(device), encodeReceipt(device, stored, new Date(now()), opts.serverKey));
    } catch (e) {
      logger.error({ err: e, device }, 'stored receipt not published');
    }
  };

  /** A quarantined signed message: its seq counts when the envelope is the sender's own, on its own topic. */
  const noteQuarantined = (msg: Incoming): void => {
    const topic = parseTopic(msg.topic);
    if (topic === null || topic.kind === 'clip-chunk' || topic.kind === 'config' || msg.clientId !== topic.deviceId) return;
    const opened = openEnvelope(msg.payload);
    if (!opened.ok || opened.envelope.device !== topic.deviceId || opened.envelope.type !== topic.kind) return;
    let q = quarantined.get(topic.deviceId);
    if (q === undefined) {
      q = new Set();
      quarantined.set(topic.deviceId, q);
    }
    q.add(opened.envelope.seq);
    touched.add(topic.deviceId);
  };

  /** The receipt a device is due now, or -1 for none; moves its mark. */
  const due = (view: CoverageView, device: string, resent: boolean): number => {
    const known = marks.get(device);
    const m = known !== undefined && sync ? known : Math.max(known ?? -1, view.mark(device));
    const q = quarantined.get(device);
    let s = m + 1;
    while (q?.has(s) === true || view.stored(device, s)) s++;
    const n = s - 1;
    if (q !== undefined) {
      for (const x of q) if (x <= n) q.delete(x);
      if (q.size === 0) quarantined.delete(device);
    }
    if (n !== known) marks.set(device, n);
    // Only what this process moved is written: a mark read from receipt_marks is there already.
    if (n > m) dirty.add(device);
    // The view ends there (a backlog longer than PostgreSQL's window): the walk goes on at the next drain.
    if (view.through !== undefined && n >= view.through(device)) touched.add(device);
    return n >= 0 && (n > (known ?? m) || resent || !sentOnce.has(device)) ? n : -1;
  };

  const clearTimers = (): void => {
    if (immediate !== null) clearImmediate(immediate);
    if (timer !== null) clearTimeout(timer);
    immediate = null;
    timer = null;
  };

  /** Sends the receipts of the devices waiting, oldest first: all of them (`all`), or as many as the budget allows now. */
  function drain(all: boolean): void {
    clearTimers();
    if (coverage.load !== undefined) {
      // The drain under way schedules the next when it ends.
      if (running === null) void drainLoaded(coverage, all);
      return;
    }
    const sent = drainSync(coverage, all);
    if (touched.size === 0 || closed) return;
    // More waiting with tokens to spare: the next turn, after what the event loop holds (PUBACKs first).
    if (sent === MAX_PER_TURN && budget.has(now())) immediate = setImmediate(drain, false);
    else wait();
  }

  /** SQLite: reads as it goes; a device waits for a token before its mark is read. */
  function drainSync(s: SyncReceiptCoverage, all: boolean): number {
    let sent = 0;
    try {
      for (const device of touched) {
        // A device whose receipt would change nothing costs no token; one that would waits for a token before its mark is read.
        if (!all && (sent === MAX_PER_TURN || !budget.has(now()))) break;
        touched.delete(device);
        const n = due(s, device, again.has(device));
        again.delete(device);
        if (n < 0) continue;
        if (!all) budget.tryTake(now());
        sent++;
        sentOnce.add(device);
        send(device, n);
      }
    } catch (e) {
      logger.error({ err: e }, 'stored receipts could not be worked out; the next commit tries again');
      touched.clear();
      again.clear();
    }
    return sent;
  }

  /** PostgreSQL: picks the devices (a token each, unless `all`), loads their view in one query, then walks it. */
  function drainLoaded(s: AsyncReceiptCoverage, all: boolean): Promise<void> {
    const picked: Picked[] = [];
    for (const device of touched) {
      if (picked.length === (all ? FLUSH_CHUNK : MAX_PER_TURN)) break;
      if (!all) {
        if (credit > 0) credit--;
        else if (!budget.tryTake(now())) break;
      }
      touched.delete(device);
      picked.push({ device, resent: again.delete(device), token: !all });
    }
    const run = async (): Promise<void> => {
      if (picked.length === 0) return;
      let done = 0;
      try {
        const view = await s.load(new Map(picked.map((p) => [p.device, marks.get(p.device)])));
        for (const p of picked) {
          done++;
          const n = due(view, p.device, p.resent);
          if (n < 0) {
            if (p.token) credit++;
            continue;
          }
          sentOnce.add(p.device);
          send(p.device, n);
        }
      } catch (e) {
        // As on SQLite: these devices wait for their next commit (at the latest the monitor's resend after its receipt timeout).
        for (const p of picked.slice(done)) if (p.token) credit++;
        logger.error({ err: e }, 'stored receipts could not be worked out; the next commit tries again');
      }
    };
    running = run().finally(() => {
      running = null;
      if (flushing === 0) next();
    });
    return running;
  }

  /** PostgreSQL, after a drain: the next turn while tokens remain, else once the budget has refilled. */
  function next(): void {
    if (touched.size === 0 || closed) return;
    if (credit > 0 || budget.has(now())) immediate ??= setImmediate(drain, false);
    else wait();
  }

  /** Drains again once the budget has refilled a little: one timer, however many devices wait. */
  function wait(): void {
    if (timer !== null || immediate !== null) return;
    timer = setTimeout(drain, Math.max(DRAIN_EVERY_MS, Math.ceil(1000 / rate.perSecond)), false);
    timer.unref();
  }

  /** PostgreSQL: every device waiting now published (and any the view's window sends round again), one drain at a time. */
  async function flushLoaded(s: AsyncReceiptCoverage): Promise<void> {
    clearTimers();
    const waiting = new Set(touched);
    const pending = (): boolean => {
      for (const d of waiting) if (touched.has(d)) return true;
      return false;
    };
    flushing++;
    try {
      while (running !== null || pending()) await (running ?? drainLoaded(s, true));
    } finally {
      flushing--;
      if (flushing === 0) next();
    }
  }

  const marksToWrite = (): Map<string, number> => new Map([...dirty].map((d) => [d, marks.get(d)!]));

  const committed = (msgs: readonly Incoming[], outcomes: readonly Outcome[]): void => {
    if (closed) return;
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (o.status === 'stored' || o.status === 'chunk-stored') touched.add(o.device);
      else if (o.status === 'duplicate') {
        touched.add(o.device);
        again.add(o.device);
      } else if (o.quarantineId !== null) {
        try {
          noteQuarantined(msgs[i]!);
        } catch {
          // A payload that cannot be read as an envelope covers no seq.
        }
      }
    }
    if (immediate === null && timer === null && running === null && touched.size > 0) immediate = setImmediate(drain, false);
  };
  const attach = (p: ReceiptPublish): void => {
    publish = p;
  };

  if (coverage.load === undefined) {
    const s = coverage;
    const persist = (): void => {
      if (dirty.size === 0) return;
      try {
        s.writeMarks(marksToWrite(), now());
        dirty.clear();
      } catch (e) {
        logger.warn({ err: e }, 'receipt marks not written; tried again later');
      }
    };
    const markTimer = setInterval(persist, opts.markWriteMs ?? MARK_WRITE_MS);
    markTimer.unref();
    const flush = (): void => drain(true);
    return {
      committed,
      attach,
      mark(device) {
        let m = marks.get(device);
        if (m === undefined) {
          m = s.mark(device);
          marks.set(device, m);
        }
        return m;
      },
      flush,
      close() {
        if (closed) return;
        flush();
        closed = true;
        if (immediate !== null) clearImmediate(immediate);
        clearInterval(markTimer);
        persist();
      },
    };
  }

  const s = coverage;
  let persisting: Promise<void> | null = null;
  const persist = (): Promise<void> => {
    if (dirty.size === 0) return Promise.resolve();
    const batch = marksToWrite();
    dirty.clear();
    persisting = s.writeMarks(batch, now())
      .catch((e: unknown) => {
        for (const d of batch.keys()) dirty.add(d);
        logger.warn({ err: e }, 'receipt marks not written; tried again later');
      })
      .finally(() => {
        persisting = null;
      });
    return persisting;
  };
  const markTimer = setInterval(() => {
    if (persisting === null) void persist();
  }, opts.markWriteMs ?? MARK_WRITE_MS);
  markTimer.unref();
  let closing: Promise<void> | null = null;
  return {
    committed,
    attach,
    async mark(device) {
      const view = await s.load(new Map([[device, marks.get(device)]]));
      const m = Math.max(marks.get(device) ?? -1, view.mark(device));
      if (m !== marks.get(device)) marks.set(device, m);
      return m;
    },
    flush: () => flushLoaded(s),
    close() {
      closing ??= (async () => {
        // No more commits taken, so the flush ends.
        closed = true;
        clearInterval(markTimer);
        await flushLoaded(s);
        clearTimers();
        while (persisting !== null) await persisting;
        await persist();
      })();
      return closing;
    },
  };
}
