/**
 * Every message: verify → validate → check device and time → dedupe → store → attach → log → alert
 * (issue 4), as a named list of small steps. A batch of messages runs in one
 * SQLite transaction (WAL, synchronous=FULL: db/open.ts), each message in its
 * own savepoint, so one bad message never undoes another; whatever a step
 * refuses, or throws, is quarantined whole with its reason. When the
 * transaction has returned every message is durably stored or quarantined,
 * which is what lets the broker PUBACK (DESIGN §4). Alerts and clip reassembly
 * run after the commit.
 *
 * With `workers` (issue 19), the first steps of a signed message — open (JSON),
 * verify (Ed25519), validate (schema), check the device — run beforehand on
 * worker threads (workers/pool.ts) while the previous batch commits; the rest
 * runs here as before, in one transaction, in arrival order.
 */
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { type ErrorInfo, type LevelsBody, isEarshotError, parseTopic } from '@earshot/shared';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { type ClipReport, type ClipStore, createClipStore } from '../store/clips.ts';
import { createEvidenceRows } from '../store/evidence-rows.ts';
import { createLevelsWriter } from '../store/levels.ts';
import { createMessageLedger } from '../store/messages.ts';
import { createQuarantine, type Quarantine, type QuarantineRow } from '../store/quarantine.ts';
import { createStatusStore } from '../store/status.ts';
import { type MessageContext, newContext, type Step, type TypedBody } from './context.ts';
import { alertStep } from './steps/alert.ts';
import { attachStep } from './steps/attach.ts';
import { checkDeviceStep } from './steps/check-device.ts';
import { checkTimeStep } from './steps/check-time.ts';
import { dedupeStep } from './steps/dedupe.ts';
import { logStep } from './steps/log.ts';
import { openStep } from './steps/open.ts';
import { storeStep } from './steps/store.ts';
import { validateStep } from './steps/validate.ts';
import { type KeyPinning, verifyStep } from './steps/verify.ts';
import { publishRefusal } from './topic-rule.ts';
import type { Alerter, Attacher, EvidenceLog, Incoming, Outcome } from './types.ts';
import type { Prepared } from './workers/prepare.ts';
import { workerKeyForm } from './workers/key-form.ts';
import { createPreparePool, type PreparePool } from './workers/pool.ts';

/** Largest signed message: 3 600 level records (MAX_RECORDS_PER_BATCH) are ~600 KB of JSON. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface PipelineDeps {
  db: Db;
  /** The data folder (DESIGN §7); clips go to <dataDir>/clips. */
  dataDir: string;
  pinnedKey: (deviceId: string) => KeyObject | null;
  /** The same key as SubjectPublicKeyInfo PEM, for the prepare workers (so this thread need not parse it); derived from pinnedKey when absent. */
  pinnedKeyPem?: (deviceId: string) => string | null;
  /** Pins a device's key from its first verifying status (trust on first use); absent: keys only from `device add`. */
  pinning?: KeyPinning;
  attacher: Attacher;
  log: EvidenceLog;
  alert: Alerter;
  logger: Logger;
  maxPayloadBytes?: number;
  /** Mirrors stored 1 s level records (e.g. to InfluxDB), after commit, never blocking the PUBACK. */
  onLevels?: (deviceId: string, records: LevelsBody['records']) => void;
  /** Per-device disk quotas (issue 11 item 5); defaults QUARANTINE_BYTES_PER_DEVICE and ORPHAN_CHUNK_BYTES_PER_DEVICE. */
  quotas?: { readonly quarantineBytesPerDevice?: number; readonly orphanChunkBytesPerDevice?: number };
  /** Prepare worker threads (issue 19); 0 (the default) runs every step on this thread. */
  workers?: number;
  /** Stored receipts (DESIGN §4, receipts/receipts.ts): told each batch's outcomes right after its commit. */
  onCommitted?: (msgs: readonly Incoming[], outcomes: readonly Outcome[]) => void;
}

export interface Pipeline {
  /** One message in its own transaction. */
  process(msg: Incoming): Outcome;
  /** Several messages in one transaction (one fsync); outcomes in the same order. Throws only when nothing could be stored. */
  processBatch(msgs: readonly Incoming[]): Outcome[];
  /** Reassembles clips whose chunks were all stored before a crash. */
  recoverClips(): ClipReport[];
  readonly clips: ClipStore;
  readonly quarantine: Quarantine;
  /**
   * Starts a message's first steps on a worker; `ready` is called once the
   * message may go to processBatch (false: its worker died, nothing was done,
   * and it must not be acknowledged). Returns false, calling nothing, when the
   * message is to be processed on this thread alone (no workers, no key pinned
   * yet, not a signed message).
   */
  prepare(msg: Incoming, ready: (ok: boolean) => void): boolean;
  /** The prepare workers, null without them. */
  readonly workers: PreparePool | null;
  /** Stops the workers (after what they hold is answered). */
  close(): Promise<void>;
}

class Refused extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.code);
  }
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { db, logger } = deps;
  const ledger = createMessageLedger(db);
  const evidence = createEvidenceRows(db);
  const status = createStatusStore(db);
  const quotas = deps.quotas ?? {};
  const clips = createClipStore(db, join(deps.dataDir, 'clips'), quotas.orphanChunkBytesPerDevice === undefined ? {} : { orphanBytesPerDevice: quotas.orphanChunkBytesPerDevice });
  const quarantine = createQuarantine(db, quotas.quarantineBytesPerDevice === undefined ? {} : { bytesPerDevice: quotas.quarantineBytesPerDevice });

  const maxPayloadBytes = deps.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const pool = (deps.workers ?? 0) > 0
    ? createPreparePool(deps.workers!, { maxPayloadBytes }, (i, why) => logger.warn({ worker: i, why: String(why) }, 'prepare worker exited; the messages it held are not acknowledged, a new worker takes its place'))
    : null;

  const signedSteps: readonly (readonly [string, Step])[] = [
    ['open', openStep(maxPayloadBytes)],
    ['verify', verifyStep(deps.pinnedKey, deps.pinning)],
    ['validate', validateStep],
    ['check-device', checkDeviceStep],
    // A redelivery or a reused seq is named as such before its contents are judged.
    ['dedupe', dedupeStep(ledger)],
    ['check-time', checkTimeStep],
    ['store', storeStep({ ledger, levels: createLevelsWriter(db), status, evidence, ...(deps.onLevels === undefined ? {} : { onLevels: deps.onLevels }) })],
    ['attach', attachStep(deps.attacher, evidence)],
    ['log', logStep(deps.log, evidence)],
    ['alert', alertStep(deps.alert)],
  ];

  /** Pinned keys as the workers get them (workers/key-form.ts); a pinned key is never replaced, only dropped when its pinning is rolled back. */
  const pems = new Map<string, string>();
  const pemOf = deps.pinnedKeyPem ?? ((id: string) => deps.pinnedKey(id)?.export({ format: 'pem', type: 'spki' }).toString() ?? null);
  function workerKey(device: string): string | null {
    const cached = pems.get(device);
    if (cached !== undefined) return cached;
    const pem = pemOf(device);
    if (pem === null) return null;
    const key = workerKeyForm(pem);
    pems.set(device, key);
    return key;
  }

  /** From dedupe on: what runs here when a worker ran the steps before (workers/prepare.ts). */
  const afterPrepare = signedSteps.slice(signedSteps.findIndex(([name]) => name === 'dedupe'));

  /** Runs the steps; throws Refused to roll the savepoint back. */
  const runSteps = db.transaction((ctx: MessageContext, steps: readonly (readonly [string, Step])[]): Outcome => {
    for (const [, step] of steps) {
      const r = step(ctx);
      if (r === 'duplicate') return { status: 'duplicate', device: ctx.device, seq: ctx.seq };
      if (r !== null) throw new Refused(r);
    }
    return { status: 'stored', device: ctx.device, seq: ctx.seq, type: ctx.kind };
  });

  /** Devices over their quarantine quota, logged once a minute each (the refusals are counted in quarantine_overflow). */
  const quotaLogged = new Map<string, number>();
  function overQuota(device: string | null, code: string, bytes: number): void {
    const key = device ?? '';
    const t = Date.now();
    if (t - (quotaLogged.get(key) ?? Number.NEGATIVE_INFINITY) < 60_000) return;
    quotaLogged.set(key, t);
    logger.warn({ device, code: 'EARSHOT_E_QUARANTINE_QUOTA', refused: code, bytes }, 'device quarantine quota reached: refused messages are counted, not kept');
  }

  /** `heldAs`: a quarantined message processed again; refused again, it stays in its row (no new one). */
  function runOne(msg: Incoming, after: (() => void)[], heldAs: number | null = null): Outcome {
    const topic = parseTopic(msg.topic);
    const forbidden = publishRefusal(msg.clientId, msg.topic, topic);
    // Issue 11 item 16: a forbidden publish is filed under the client that sent it, never under the device its topic names.
    const device = forbidden !== null ? msg.clientId : topic?.deviceId ?? msg.clientId;
    const refuse = (info: ErrorInfo): Outcome => {
      if (heldAs !== null) return { status: 'quarantined', code: info.code, detail: info.detail, quarantineId: heldAs };
      // A chunk refused for the orphan quota is not kept anywhere: the quarantine would only move the disk filling there.
      const keepRaw = info.code !== 'EARSHOT_E_CLIP_ORPHAN_QUOTA';
      const { id: quarantineId } = quarantine.add({ receivedAt: msg.receivedAt, clientId: msg.clientId, device, topic: msg.topic, code: info.code, detail: info.detail, raw: msg.payload }, { keepRaw });
      if (quarantineId === null) {
        overQuota(device, info.code, msg.payload.length);
      } else {
        logger.warn({ clientId: msg.clientId, topic: msg.topic, code: info.code, detail: info.detail, quarantineId }, 'message quarantined');
      }
      return { status: 'quarantined', code: info.code, detail: info.detail, quarantineId };
    };
    if (forbidden !== null) return refuse(forbidden);
    if (topic === null) return refuse({ code: 'EARSHOT_E_TOPIC_INVALID', detail: msg.topic });
    if (topic.kind === 'config') return refuse({ code: 'EARSHOT_E_PUBLISH_FORBIDDEN', detail: `${msg.topic} is ingest → device` });
    let ctx: MessageContext | null = null;
    try {
      if (topic.kind === 'clip-chunk') {
        const bad = clips.putChunk(topic.deviceId, topic.clipId, topic.chunk, msg.payload, msg.receivedAt);
        if (bad !== null) return refuse(bad);
        queueAssembly(topic.deviceId, topic.clipId, after);
        return { status: 'chunk-stored', device: topic.deviceId, clipId: topic.clipId, chunk: topic.chunk };
      }
      ctx = newContext(msg, { kind: topic.kind, deviceId: topic.deviceId });
      const prepared = heldAs === null ? usablePrepared(msg, topic.deviceId) : null;
      if (prepared?.status === 'refused') return refuse(prepared.info);
      const out = prepared?.status === 'ready' ? runSteps.immediate(fromPrepared(ctx, prepared), afterPrepare) : runSteps.immediate(ctx, signedSteps);
      after.push(...ctx.afterCommit);
      if (out.status === 'stored' && ctx.typed?.type === 'clip') {
        clips.manifestStored(ctx.device);
        queueAssembly(ctx.device, ctx.typed.body.clipId, after);
      }
      if (out.status === 'stored' && ctx.pinnedKey) {
        const pinned = ctx.device;
        after.push(() => releaseHeld(pinned));
      }
      return out;
    } catch (e) {
      if (ctx?.pinnedKey === true) {
        deps.pinning?.forget(ctx.device);
        pems.delete(ctx.device);
        pool?.forget(ctx.device);
      }
      if (e instanceof Refused) return refuse(e.info);
      const detail = isEarshotError(e) ? e.message : String((e as Error)?.message ?? e);
      logger.error({ err: e, topic: msg.topic }, 'pipeline failed on a message');
      return refuse({ code: 'EARSHOT_E_STORE_FAILED', detail });
    }
  }

  /** A worker's result, if it was verified with the key pinned now (a pin rolled back since makes it void). */
  function usablePrepared(msg: Incoming, device: string): Prepared | null {
    const p = msg.prepared;
    if (p === undefined || p.result.status === 'in-thread' || pems.get(device) !== p.key) return null;
    return p.result;
  }

  /** The context as the open, verify, validate and check-device steps would have left it. */
  function fromPrepared(ctx: MessageContext, p: Extract<Prepared, { status: 'ready' }>): MessageContext {
    const payload = ctx.msg.payload;
    ctx.envelopeBytes = payload.subarray(0, p.signatureAt);
    // The signature's bytes are kept with evidence only (steps/store.ts).
    if (ctx.kind === 'event' || ctx.kind === 'clip') ctx.signature = Buffer.from(payload.toString('latin1', p.signatureAt + 1), 'base64');
    ctx.seq = p.seq;
    ctx.sentAt = p.sentAt;
    ctx.envelopeDevice = ctx.device;
    ctx.envelopeType = ctx.kind;
    ctx.rawBody = p.body;
    ctx.typed = { type: ctx.kind, body: p.body } as TypedBody;
    ctx.sha256 = Buffer.from(p.sha256.buffer, p.sha256.byteOffset, p.sha256.byteLength);
    ctx.hashed = true;
    return ctx;
  }

  /**
   * Once a device's key is pinned, its messages held for want of a key are
   * processed again, in the order they came; each one accepted is released
   * (its quarantine row stays, marked), the others stay held.
   */
  const releaseOne = db.transaction((row: QuarantineRow, after: (() => void)[]): Outcome => {
    const out = runOne({ topic: row.topic, payload: row.raw, clientId: row.clientId, receivedAt: row.receivedAt }, after, row.id);
    if (out.status !== 'quarantined') quarantine.release(row.id, out.status, Date.now());
    return out;
  });

  function releaseHeld(device: string): void {
    const after: (() => void)[] = [];
    let released = 0;
    for (const row of quarantine.held(device, 'EARSHOT_E_KEY_NOT_PINNED')) if (releaseOne.immediate(row, after).status !== 'quarantined') released++;
    if (released > 0) logger.info({ device, released }, 'messages held until the device key was pinned were processed');
    runAfter(after);
  }

  function queueAssembly(device: string, clipId: string, after: (() => void)[]): void {
    if (clips.isReady(device, clipId)) after.push(() => reportAssembly(clips.assemble(device, clipId, Date.now())));
  }

  function reportAssembly(r: ClipReport): void {
    if (r.state === 'complete') logger.info({ device: r.device, clipId: r.clipId, file: r.file }, 'clip reassembled');
    else logger.warn({ device: r.device, clipId: r.clipId, state: r.state, problem: r.problem }, 'clip not reassembled');
  }

  function runAfter(tasks: (() => void)[]): void {
    for (const t of tasks) {
      try {
        t();
      } catch (e) {
        logger.error({ err: e }, 'after-commit task failed');
      }
    }
  }

  const batch = db.transaction((msgs: readonly Incoming[], after: (() => void)[]) => msgs.map((m) => runOne(m, after)));

  function processBatch(msgs: readonly Incoming[]): Outcome[] {
    const after: (() => void)[] = [];
    const out = batch.immediate(msgs, after);
    // Stored receipts (DESIGN §4): committed now; the receipts themselves go out on the next turn.
    deps.onCommitted?.(msgs, out);
    if (after.length > 0) setImmediate(runAfter, after);
    return out;
  }

  return {
    process: (msg) => processBatch([msg])[0]!,
    processBatch,
    recoverClips() {
      const done: ClipReport[] = [];
      for (const r of clips.unfinished()) {
        if (clips.isReady(r.device, r.clipId)) done.push(clips.assemble(r.device, r.clipId, Date.now()));
        else done.push(r);
      }
      return done;
    },
    clips,
    quarantine,
    workers: pool,
    prepare(msg, ready) {
      if (pool === null || msg.payload.length > maxPayloadBytes) return false;
      const topic = parseTopic(msg.topic);
      if (topic === null || topic.kind === 'clip-chunk' || topic.kind === 'config' || publishRefusal(msg.clientId, msg.topic, topic) !== null) return false;
      const key = workerKey(topic.deviceId);
      if (key === null) return false;
      return pool.prepare(topic.kind, topic.deviceId, msg.payload, msg.receivedAt, key, (result) => {
        if (result !== null) msg.prepared = { result, key };
        ready(result !== null);
      });
    },
    close: async () => {
      await pool?.close();
    },
  };
}
