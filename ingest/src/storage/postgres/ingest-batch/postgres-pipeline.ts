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
 * Not yet here: trust-on-first-use key pinning (keys come from `device add`),
 * the release of messages held for a key, and the retry of clips left
 * unassembled by a crash.
 */
import type { KeyObject } from 'node:crypto';
import { type ErrorInfo, isEarshotError, parseTopic } from '@earshot/shared';
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
  /** Resolves once the clips the committed batches completed are reassembled. */
  idle(): Promise<void>;
}

class Refused extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.code);
  }
}

/** A message after the steps that read no store: refused with its reason, or ready for the rest. */
type Prepared =
  | { readonly msg: Incoming; readonly device: string | null; readonly refusal: ErrorInfo; readonly ctx: null; readonly chunk?: undefined }
  | { readonly msg: Incoming; readonly device: string; readonly refusal: null; readonly ctx: MessageContext; readonly chunk?: undefined }
  | { readonly msg: Incoming; readonly device: string; readonly refusal: null; readonly ctx: null; readonly chunk: { readonly clipId: string; readonly n: number } };

export function createPostgresPipeline(deps: PostgresPipelineDeps): PostgresPipeline {
  const { logger } = deps;
  const maxPayloadBytes = deps.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const pure: readonly Step[] = [openStep(maxPayloadBytes), verifyStep(deps.pinnedKey), validateStep, checkDeviceStep];

  function prepare(msg: Incoming): Prepared {
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
      if (r !== null && r !== 'duplicate') return { msg, device: topic.deviceId, refusal: r, ctx: null };
    }
    return { msg, device: topic.deviceId, refusal: null, ctx };
  }

  const pending = new Set<Promise<void>>();
  function assemble(device: string, clipId: string): void {
    const run = assembleClip(deps.pool, device, clipId, (deps.now ?? Date.now)()).then((r) => {
      if (r.state === 'complete') logger.info({ device, clipId, file: r.file }, 'clip reassembled');
      else logger.warn({ device, clipId, state: r.state, problem: r.problem }, 'clip not reassembled');
    });
    pending.add(run);
    void run.finally(() => pending.delete(run));
  }

  async function processBatch(msgs: readonly Incoming[]): Promise<Outcome[]> {
    const prepared = msgs.map(prepare);
    const ready = prepared.filter((p): p is Extract<Prepared, { ctx: MessageContext }> => p.ctx !== null);
    const chunks = prepared.filter((p): p is Extract<Prepared, { chunk: object }> => p.chunk !== undefined);
    const evidenceDevices = [...new Set(ready.filter((p) => p.ctx.kind === 'event' || p.ctx.kind === 'clip').map((p) => p.device))];
    const clipKeys = [
      ...chunks.map((p) => ({ device: p.device, clipId: p.chunk.clipId })),
      ...ready.flatMap((p) => (p.ctx.typed?.type === 'clip' ? [{ device: p.device, clipId: p.ctx.typed.body.clipId }] : [])),
    ];
    const devices = [...new Set(prepared.map((p) => p.device).filter((d): d is string => d !== null))];
    const c = await deps.pool.connect();
    const after: (() => void)[] = [];
    const toAssemble = new Map<string, { device: string; clipId: string }>();
    let outcomes: Outcome[];
    try {
      await c.query('BEGIN');
      const snap = await fetchSnapshot(c, {
        keys: ready.map((p) => ({ device: p.device, seq: p.ctx.seq })), evidenceDevices, devices, anonymous: prepared.some((p) => p.device === null), messages: msgs.length,
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
      const refuse = (p: Prepared, info: ErrorInfo): Outcome => {
        // A chunk refused for the orphan quota is not kept anywhere (pipeline.ts).
        const keepRaw = info.code !== 'EARSHOT_E_CLIP_ORPHAN_QUOTA';
        const { id: quarantineId } = s.quarantine.add({ receivedAt: p.msg.receivedAt, clientId: p.msg.clientId, device: p.device, topic: p.msg.topic, code: info.code, detail: info.detail, raw: p.msg.payload }, { keepRaw });
        if (quarantineId !== null) logger.warn({ clientId: p.msg.clientId, topic: p.msg.topic, code: info.code, detail: info.detail, quarantineId }, 'message quarantined');
        return { status: 'quarantined', code: info.code, detail: info.detail, quarantineId };
      };
      outcomes = prepared.map((p): Outcome => {
        if (p.refusal !== null) return refuse(p, p.refusal);
        if (p.chunk !== undefined) {
          const bad = s.clips.putChunk(p.device, p.chunk.clipId, p.chunk.n, p.msg.payload, p.msg.receivedAt);
          if (bad !== null) return refuse(p, bad);
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
          if (e instanceof Refused) return refuse(p, e.info);
          const detail = isEarshotError(e) ? e.message : String((e as Error)?.message ?? e);
          logger.error({ err: e, topic: p.msg.topic }, 'pipeline failed on a message');
          return refuse(p, { code: 'EARSHOT_E_STORE_FAILED', detail });
        }
      });
      await flushStaged(c, w, deps.levels, snap.logSize);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
    for (const t of after) {
      try {
        t();
      } catch (e) {
        logger.error({ err: e }, 'after-commit task failed');
      }
    }
    for (const k of toAssemble.values()) assemble(k.device, k.clipId);
    return outcomes;
  }

  return {
    processBatch,
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
