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
 *   monitor resends the message and it is quarantined again.
 * - A duplicate (the monitor resending what it saw no receipt for) gets the
 *   current receipt again, and so does the first commit of each device after a
 *   start: a receipt lost with a restarted broker's memory is made good.
 * - Marks are written to receipt_marks a few seconds later, in one transaction:
 *   only a lower bound to start from, the ledger is the truth.
 */
import type { KeyObject } from 'node:crypto';
import { encodeReceipt, openEnvelope, parseTopic, topics } from '@earshot/shared';
import type { Logger } from 'pino';
import { Budget, type BucketOptions } from '../broker/rate-limit.ts';
import type { Db } from '../db/open.ts';
import type { Incoming, Outcome } from '../pipeline/types.ts';
import { createCoverage } from './coverage.ts';

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

export interface ReceiptsOptions {
  readonly db: Db;
  /** The server's Ed25519 private key (evidence/server-key.ts), the one the monitors were provisioned with. */
  readonly serverKey: KeyObject;
  readonly logger: Logger;
  readonly publish?: ReceiptPublish;
  readonly markWriteMs?: number;
  /** Receipts signed per second (RECEIPT_RATE by default). */
  readonly rate?: BucketOptions;
  readonly now?: () => number;
}

export interface Receipts {
  /** After each commit (Pipeline.processBatch): the outcomes in the order of `msgs`. Never throws. */
  committed(msgs: readonly Incoming[], outcomes: readonly Outcome[]): void;
  /** Where receipts go (the broker starts after the pipeline). */
  attach(publish: ReceiptPublish): void;
  /** The seq receipted to a device now, -1 for none. */
  mark(device: string): number;
  /** Publishes every receipt pending now, whatever the rate (normally they go on the next turn of the event loop, at RECEIPT_RATE). */
  flush(): void;
  /** Publishes what is pending and writes the marks. */
  close(): void;
}

export function createReceipts(opts: ReceiptsOptions): Receipts {
  const { db, logger } = opts;
  const now = opts.now ?? Date.now;
  const coverage = createCoverage(db);
  const readMark = db.prepare<[string], { stored: number }>('SELECT stored FROM receipt_marks WHERE device = ?');
  const writeMark = db.prepare<[string, number, number]>(
    'INSERT INTO receipt_marks (device, stored, at) VALUES (?, ?, ?) ON CONFLICT (device) DO UPDATE SET stored = max(stored, excluded.stored), at = excluded.at');
  const writeMarks = db.transaction((devices: Iterable<string>) => {
    const t = now();
    for (const d of devices) writeMark.run(d, marks.get(d)!, t);
  });

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

  const markOf = (device: string): number => {
    let m = marks.get(device);
    if (m === undefined) {
      m = readMark.get(device)?.stored ?? coverage.initialMark(device);
      marks.set(device, m);
    }
    return m;
  };

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
  const due = (device: string): number => {
    const m = markOf(device);
    const q = quarantined.get(device);
    let s = m + 1;
    while (q?.has(s) === true || coverage.stored(device, s)) s++;
    const n = s - 1;
    if (q !== undefined) {
      for (const x of q) if (x <= n) q.delete(x);
      if (q.size === 0) quarantined.delete(device);
    }
    if (n > m) {
      marks.set(device, n);
      dirty.add(device);
    }
    return n >= 0 && (n > m || again.has(device) || !sentOnce.has(device)) ? n : -1;
  };

  /** Sends the receipts of the devices waiting, oldest first: all of them (`all`), or as many as the budget allows now. */
  function drain(all: boolean): void {
    if (immediate !== null) clearImmediate(immediate);
    if (timer !== null) clearTimeout(timer);
    immediate = null;
    timer = null;
    let sent = 0;
    try {
      for (const device of touched) {
        // A device whose receipt would change nothing costs no token; one that would waits for a token before its mark is read.
        if (!all && (sent === MAX_PER_TURN || !budget.has(now()))) break;
        touched.delete(device);
        const n = due(device);
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
    if (touched.size === 0 || closed) return;
    // More waiting with tokens to spare: the next turn, after what the event loop holds (PUBACKs first).
    if (sent === MAX_PER_TURN && budget.has(now())) immediate = setImmediate(drain, false);
    else wait();
  }

  /** Drains again once the budget has refilled a little: one timer, however many devices wait. */
  function wait(): void {
    if (timer !== null || immediate !== null) return;
    timer = setTimeout(drain, Math.max(DRAIN_EVERY_MS, Math.ceil(1000 / rate.perSecond)), false);
    timer.unref();
  }

  function flush(): void {
    drain(true);
  }

  function persist(): void {
    if (dirty.size === 0) return;
    try {
      writeMarks.immediate(dirty);
      dirty.clear();
    } catch (e) {
      logger.warn({ err: e }, 'receipt marks not written; tried again later');
    }
  }
  const markTimer = setInterval(persist, opts.markWriteMs ?? MARK_WRITE_MS);
  markTimer.unref();

  return {
    committed(msgs, outcomes) {
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
      if (immediate === null && timer === null && touched.size > 0) immediate = setImmediate(drain, false);
    },
    attach(p) {
      publish = p;
    },
    mark: (device) => markOf(device),
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
