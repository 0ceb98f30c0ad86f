/**
 * The message pipeline on PostgreSQL (DESIGN §8, issue 14): the same steps as
 * on SQLite (pipeline/pipeline.ts; pipeline/steps/), with a batch in one
 * PostgreSQL transaction and each message in its own savepoint, so what is
 * stored, deduplicated, attached, logged and quarantined is the same row for
 * row. Asynchronous at its edge only: a batch runs as
 *
 *   1. the steps that read no store (topic rules, open, verify, validate, check
 *      the device), message by message, before anything is asked of the database;
 *   2. BEGIN; the evidence log's append lock when the batch holds evidence; what
 *      the remaining steps read, for the whole batch at once (fetch-snapshot.ts);
 *   3. the remaining steps (dedupe, check time, store, attach, log, alert),
 *      synchronously over that snapshot, writing to staged rows; a refused
 *      message's rows are rolled back to its savepoint mark and it is quarantined;
 *   4. the staged rows in one statement per table (flush.ts); COMMIT. Only then
 *      does processBatch resolve, so the PUBACK still follows the commit (DESIGN §4).
 *
 * A batch that fails to commit rejects, and nothing of it is stored: its
 * messages must not be acknowledged (the broker sends them again). Two
 * processes storing the same message at once meet at the ledger's primary key:
 * one batch fails and its messages come again as duplicates.
 *
 * Clip chunks are stored as they come (outside a message's savepoint, as on
 * SQLite); a clip whose manifest and chunks are all stored is reassembled into
 * clip_files after the commit (assemble-clip.ts), never before the PUBACK.
 *
 * Trust on first use (pipeline/steps/verify.ts) as on SQLite: a device's first
 * verifying status pins its key, recorded in the batch during step 1 (so its
 * later messages in the batch verify with it) and written first thing in the
 * transaction (key-pins.ts); a pinning status refused later in the batch undoes
 * its pin, as its savepoint does on SQLite (the batch runs again with that pin
 * unseen). Once a key is pinned, by this process's commit or by another's
 * (keyPinned, from the registry's NOTIFY), the device's messages held with
 * EARSHOT_E_KEY_NOT_PINNED are processed again, in order, through the same
 * batch path (held-messages.ts): each accepted one is marked released, the
 * others stay in their rows. Batches and releases take turns.
 *
 * Not yet here: the retry of clips left unassembled by a crash.
 */
import type { KeyObject } from 'node:crypto';
import { EarshotError, type ErrorInfo, isEarshotError, parseTopic } from '@earshot/shared';
import type pg from 'pg';
import type { Logger } from 'pino';
import { type MessageContext, newContext, type Step } from '../../../pipeline/context.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../../../pipeline/pipeline.ts';
import { alertStep } from '../../../pipeline/steps/alert.ts';
import { attachStep } from '../../../pipeline/steps/attach.ts';
import { checkDeviceStep } from '../../../pipeline/steps/check-device.ts';
import { checkTimeStep } from '../../../pipeline/steps/check-time.ts';
import { dedupeStep } from '../../../pipeline/steps/dedupe.ts';
import { logStep } from '../../../pipeline/steps/log.ts';
import { openStep } from '../../../pipeline/steps/open.ts';
import { storeStep } from '../../../pipeline/steps/store.ts';
import { validateStep } from '../../../pipeline/steps/validate.ts';
import { verifyStep } from '../../../pipeline/steps/verify.ts';
import { publishRefusal } from '../../../pipeline/topic-rule.ts';
import type { Alerter, Incoming, Outcome } from '../../../pipeline/types.ts';
import type { PgLevelsWriter } from '../levels-writer.ts';
import { assembleClip } from './assemble-clip.ts';
import { fetchSnapshot } from './fetch-snapshot.ts';
import { flushStaged } from './flush.ts';
import { type HeldMessage, lockHeld, markReleased } from './held-messages.ts';
import { type BatchPins, createKeyPins, storePins } from './key-pins.ts';
import { stagedStores } from './staged-stores.ts';
import { StagedWrites } from './staged-writes.ts';

export interface PostgresPipelineDeps {
  readonly pool: pg.Pool;
  readonly pinnedKey: (deviceId: string) => KeyObject | null;
  readonly levels: PgLevelsWriter;
  readonly alert: Alerter;
  readonly logger: Logger;
  readonly maxPayloadBytes?: number;
  readonly quarantineBytesPerDevice?: number;
  readonly orphanChunkBytesPerDevice?: number;
  readonly now?: () => number;
}

export interface PostgresPipeline {
  /** Several messages in one transaction; outcomes in the same order, once committed. Rejects when nothing could be stored. */
  processBatch(msgs: readonly Incoming[]): Promise<Outcome[]>;
  /**
   * The registry saw the device's key pinned (PgDeviceRegistry.onKeyPinned):
   * its messages held for want of a key are processed again, after the batch
   * running now. Nothing to do when this pipeline pinned it (it released them
   * after its own commit).
   */
  keyPinned(deviceId: string): void;
  /** Resolves once the clips the committed batches completed are reassembled and the held messages queued are processed again. */
  idle(): Promise<void>;
}

class Refused extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.code);
  }
}

/** The message at `index` pinned a key and was refused after its verify: the batch is run again with that pin unseen. */
class PinUndone extends Error {
  constructor(readonly index: number) {
    super(`the pin of message ${index} is undone`);
  }
}

/** A message after the steps that read no store: refused with its reason, or ready for the rest. */
type Prepared =
  | { readonly msg: Incoming; readonly device: string | null; readonly refusal: ErrorInfo; readonly ctx: null; readonly chunk?: undefined }
  | { readonly msg: Incoming; readonly device: string; readonly refusal: null; readonly ctx: MessageContext; readonly chunk?: undefined }
  | { readonly msg: Incoming; readonly device: string; readonly refusal: null; readonly ctx: null; readonly chunk: { readonly clipId: string; readonly n: number } };

/** A batch after step 1, with the key pins it made. */
interface Batch {
  readonly prepared: readonly Prepared[];
  readonly pins: BatchPins;
}

/** What a batch is: messages as they came, or a device's messages held for want of its key. */
type Source = { readonly msgs: readonly Incoming[] } | { readonly device: string };

export function createPostgresPipeline(deps: PostgresPipelineDeps): PostgresPipeline {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const maxPayloadBytes = deps.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const open = openStep(maxPayloadBytes);
  const keyPins = createKeyPins(deps.pinnedKey);

  function prepare(msg: Incoming, pure: readonly Step[], pins: BatchPins): Prepared {
    const topic = parseTopic(msg.topic);
    const forbidden = publishRefusal(msg.clientId, msg.topic, topic);
    // Issue 11 item 16: a forbidden publish is filed under the client that sent it.
    const device = forbidden !== null ? msg.clientId : topic?.deviceId ?? msg.clientId;
    const refused = (refusal: ErrorInfo): Prepared => ({ msg, device, refusal, ctx: null });
    if (forbidden !== null) return refused(forbidden);
    if (topic === null) return refused({ code: 'EARSHOT_E_TOPIC_INVALID', detail: msg.topic });
    if (topic.kind === 'config') return refused({ code: 'EARSHOT_E_PUBLISH_FORBIDDEN', detail: `${msg.topic} is ingest → device` });
    if (topic.kind === 'clip-chunk') return { msg, device: topic.deviceId, refusal: null, ctx: null, chunk: { clipId: topic.clipId, n: topic.chunk } };
    const ctx = newContext(msg, { kind: topic.kind, deviceId: topic.deviceId });
    for (const step of pure) {
      const r = step(ctx);
      if (r !== null && r !== 'duplicate') {
        // Refused after it verified with the key it presented: its pin goes with it (on SQLite, with its savepoint).
        if (ctx.pinnedKey) pins.pinning.forget(topic.deviceId);
        return { msg, device: topic.deviceId, refusal: r, ctx: null };
      }
    }
    return { msg, device: topic.deviceId, refusal: null, ctx };
  }

  /** Step 1 for every message; `tentative`: the messages whose pin is to be unseen (PinUndone). */
  function prepareAll(msgs: readonly Incoming[], tentative: ReadonlySet<number>): Batch {
    const pins = keyPins.batch();
    const pure: readonly Step[] = [open, verifyStep(pins.pinnedKey, pins.pinning), validateStep, checkDeviceStep];
    const prepared = msgs.map((m, i) => {
      pins.tentative = tentative.has(i);
      return prepare(m, pure, pins);
    });
    pins.tentative = false;
    return { prepared, pins };
  }

  const pending = new Set<Promise<void>>();
  function track(run: Promise<void>): void {
    pending.add(run);
    void run.finally(() => pending.delete(run));
  }

  function assemble(device: string, clipId: string): void {
    track(assembleClip(deps.pool, device, clipId, now()).then((r) => {
      if (r.state === 'complete') logger.info({ device, clipId, file: r.file }, 'clip reassembled');
      else logger.warn({ device, clipId, state: r.state, problem: r.problem }, 'clip not reassembled');
    }));
  }

  /** Batches and releases one at a time, in the order asked (the caller sends one batch at a time too). */
  let turn: Promise<unknown> = Promise.resolve();
  function inTurn<T>(task: () => Promise<T>): Promise<T> {
    const r = turn.then(task);
    turn = r.catch(() => undefined);
    return r;
  }

  function releaseHeld(device: string): void {
    track(inTurn(() => run({ device })).then(
      () => undefined,
      (e: unknown) => logger.error({ err: e, device }, 'messages held until the device key was pinned were not processed again; they stay held'),
    ));
  }

  interface Written {
    readonly outcomes: Outcome[];
    readonly after: (() => void)[];
    readonly toAssemble: ReadonlyMap<string, { device: string; clipId: string }>;
  }

  /** Steps 2–4 inside the open transaction on `c`; `heldAs`: the quarantine row of each message when they are held ones processed again. */
  async function write(c: pg.ClientBase, b: Batch, heldAs: readonly number[] | null, tentative: ReadonlySet<number>): Promise<Written> {
    const { prepared } = b;
    const ready = prepared.filter((p): p is Extract<Prepared, { ctx: MessageContext }> => p.ctx !== null);
    const chunks = prepared.filter((p): p is Extract<Prepared, { chunk: object }> => p.chunk !== undefined);
    const evidenceDevices = [...new Set(ready.filter((p) => p.ctx.kind === 'event' || p.ctx.kind === 'clip').map((p) => p.device))];
    const clipKeys = [
      ...chunks.map((p) => ({ device: p.device, clipId: p.chunk.clipId })),
      ...ready.flatMap((p) => (p.ctx.typed?.type === 'clip' ? [{ device: p.device, clipId: p.ctx.typed.body.clipId }] : [])),
    ];
    const devices = [...new Set(prepared.map((p) => p.device).filter((d): d is string => d !== null))];
    const after: (() => void)[] = [];
    const toAssemble = new Map<string, { device: string; clipId: string }>();
    // Device rows first, then the evidence log's lock (fetch-snapshot.ts): every batch takes them in this order.
    await storePins(c, b.pins.pins, now());
    const snap = await fetchSnapshot(c, {
      keys: ready.map((p) => ({ device: p.device, seq: p.ctx.seq })), evidenceDevices, devices, anonymous: prepared.some((p) => p.device === null), messages: prepared.length,
      clips: clipKeys, chunkDevices: [...new Set(chunks.map((p) => p.device))],
    });
    const w = new StagedWrites();
    const s = stagedStores(snap, w, {
      ...(deps.quarantineBytesPerDevice === undefined ? {} : { quarantineBytesPerDevice: deps.quarantineBytesPerDevice }),
      ...(deps.orphanChunkBytesPerDevice === undefined ? {} : { orphanChunkBytesPerDevice: deps.orphanChunkBytesPerDevice }),
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
    const queueAssembly = (device: string, clipId: string): void => {
      if (s.clips.isReady(device, clipId)) toAssemble.set(`${device}\0${clipId}`, { device, clipId });
    };
    const steps: readonly Step[] = [
      dedupeStep(s.ledger), checkTimeStep, storeStep({ ledger: s.ledger, levels: s.levels, status: s.status, evidence: s.evidence }),
      attachStep(s.attacher, s.evidence), logStep(s.log, s.evidence), alertStep(deps.alert),
    ];
    const refuse = (p: Prepared, i: number, info: ErrorInfo): Outcome => {
      // Held and refused again: it stays in its own row (pipeline.ts runOne heldAs).
      if (heldAs !== null) return { status: 'quarantined', code: info.code, detail: info.detail, quarantineId: heldAs[i]! };
      // A chunk refused for the orphan quota is not kept anywhere (pipeline.ts).
      const keepRaw = info.code !== 'EARSHOT_E_CLIP_ORPHAN_QUOTA';
      const { id: quarantineId } = s.quarantine.add({ receivedAt: p.msg.receivedAt, clientId: p.msg.clientId, device: p.device, topic: p.msg.topic, code: info.code, detail: info.detail, raw: p.msg.payload }, { keepRaw });
      if (quarantineId !== null) logger.warn({ clientId: p.msg.clientId, topic: p.msg.topic, code: info.code, detail: info.detail, quarantineId }, 'message quarantined');
      return { status: 'quarantined', code: info.code, detail: info.detail, quarantineId };
    };
    const one = (p: Prepared, i: number): Outcome => {
      if (p.refusal !== null) return refuse(p, i, p.refusal);
      if (p.chunk !== undefined) {
        const bad = s.clips.putChunk(p.device, p.chunk.clipId, p.chunk.n, p.msg.payload, p.msg.receivedAt);
        if (bad !== null) return refuse(p, i, bad);
        queueAssembly(p.device, p.chunk.clipId);
        return { status: 'chunk-stored', device: p.device, clipId: p.chunk.clipId, chunk: p.chunk.n };
      }
      const ctx = p.ctx;
      const mark = w.mark();
      try {
        for (const step of steps) {
          const r = step(ctx);
          if (r === 'duplicate') return { status: 'duplicate', device: ctx.device, seq: ctx.seq };
          if (r !== null) throw new Refused(r);
        }
        after.push(...ctx.afterCommit);
        if (ctx.typed?.type === 'clip') queueAssembly(ctx.device, ctx.typed.body.clipId);
        return { status: 'stored', device: ctx.device, seq: ctx.seq, type: ctx.kind };
      } catch (e) {
        w.rollback(mark);
        ctx.afterCommit.length = 0;
        if (e instanceof Refused) return refuse(p, i, e.info);
        const detail = isEarshotError(e) ? e.message : String((e as Error)?.message ?? e);
        logger.error({ err: e, topic: p.msg.topic }, 'pipeline failed on a message');
        return refuse(p, i, { code: 'EARSHOT_E_STORE_FAILED', detail });
      }
    };
    const outcomes = prepared.map((p, i): Outcome => {
      const out = one(p, i);
      if (p.ctx?.pinnedKey === true) {
        const kept = out.status !== 'quarantined';
        // On SQLite the pin is in the message's savepoint: it stands or falls with the message.
        if (!kept && !tentative.has(i)) throw new PinUndone(i);
        if (kept && tentative.has(i)) throw new EarshotError('EARSHOT_E_STORE_FAILED', `${p.device} seq ${p.ctx.seq}: its key's first status, refused before, was accepted when the batch ran again`);
      }
      return out;
    });
    await flushStaged(c, w, deps.levels, snap.logSize);
    if (heldAs !== null) await markReleased(c, outcomes.flatMap((o, i) => (o.status === 'quarantined' ? [] : [{ id: heldAs[i]!, as: o.status }])), now());
    return { outcomes, after, toAssemble };
  }

  /** One transaction; `tentative` as prepareAll's. */
  async function once(source: Source, tentative: ReadonlySet<number>): Promise<{ batch: Batch; written: Written; held: readonly HeldMessage[] | null }> {
    // Step 1 before the transaction, for messages as they came; held ones are read (and locked) in it first.
    let batch = 'msgs' in source ? prepareAll(source.msgs, tentative) : null;
    const c = await deps.pool.connect();
    try {
      await c.query('BEGIN');
      let held: HeldMessage[] | null = null;
      if (batch === null) {
        held = await lockHeld(c, (source as { device: string }).device);
        batch = prepareAll(held.map((h) => h.msg), tentative);
      }
      const written = held?.length === 0
        ? { outcomes: [], after: [], toAssemble: new Map() }
        : await write(c, batch, held?.map((h) => h.id) ?? null, tentative);
      await c.query('COMMIT');
      return { batch, written, held };
    } catch (e) {
      // Its pins are dropped with it: the batch's map is discarded, nothing was committed.
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async function run(source: Source): Promise<Outcome[]> {
    const tentative = new Set<number>();
    let r: Awaited<ReturnType<typeof once>>;
    for (;;) {
      try {
        r = await once(source, tentative);
        break;
      } catch (e) {
        // Each run makes one more pin unseen, so this ends.
        if (!(e instanceof PinUndone)) throw e;
        tentative.add(e.index);
      }
    }
    const { batch, written, held } = r;
    keyPins.committed(batch.pins);
    for (const t of written.after) {
      try {
        t();
      } catch (e) {
        logger.error({ err: e }, 'after-commit task failed');
      }
    }
    for (const k of written.toAssemble.values()) assemble(k.device, k.clipId);
    if (held !== null) {
      const released = written.outcomes.filter((o) => o.status !== 'quarantined').length;
      if (released > 0) logger.info({ device: (source as { device: string }).device, released }, 'messages held until the device key was pinned were processed');
    }
    for (const device of batch.pins.pins.keys()) {
      logger.info({ device }, 'device key pinned at first use');
      releaseHeld(device);
    }
    return written.outcomes;
  }

  return {
    processBatch: (msgs) => inTurn(() => run({ msgs })),
    keyPinned(deviceId) {
      if (!keyPins.registryHas(deviceId)) releaseHeld(deviceId);
    },
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
