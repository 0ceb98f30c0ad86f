/**
 * The rows a batch will write, kept in memory until its flush (flush.ts), with
 * savepoints: mark() before a message's steps, rollback(mark) when a step
 * refuses it, so a refused message leaves nothing behind — what SQLite's
 * per-message SAVEPOINT does in pipeline.ts. The indexes that the steps read
 * back (the ledger, each device's latest status, the events by key) follow the
 * rows and are rebuilt after a rollback (rare: only a refused message).
 */
import type { LevelsBody } from '@earshot/shared';
import { ROW_COST_BYTES } from '../../../store/quarantine.ts';
import { clipKey, type LatestStatus, ledgerKey, type StoredManifest } from './snapshot.ts';

export interface MessageRow { device: string; seq: number; type: string; sha256: Buffer; receivedAt: number }
export interface StatusRow { device: string; seq: number; sentAt: number; receivedAt: number; synced: number | null; offsetMs: number | null; body: string }
export interface EventRow {
  device: string; seq: number; deviceTime: number; receivedAt: number; synced: number | null; offsetMs: number | null; clockFlag: string | null;
  eventId: string; kind: string; body: string; envelope: Buffer; signature: Buffer;
  caseRef: string | null; attachReason: string | null; leafIndex: number | null;
}
export interface ClipRow extends Omit<EventRow, 'eventId' | 'kind'> {
  clipId: string; eventId: string; sha256: string; bytes: number; chunks: number; chunkBytes: number;
}
export interface ChunkRow { device: string; clipId: string; n: number; data: Buffer; receivedAt: number }
export interface QuarantineRow {
  id: number; receivedAt: number; clientId: string | null; device: string | null; topic: string; code: string; detail: string;
  raw: Buffer; rawBytes: number; rawSha256: string; rawDropped: 'refused' | null; rawDroppedAt: number | null;
}
export interface OverflowRow { device: string; code: string; day: string; bytes: number; at: number }
export interface LevelsItem { device: string; seq: number; body: LevelsBody }
export interface LeafRow { bytes: Buffer; appendedAt: string }

export type Mark = readonly number[];

export class StagedWrites {
  readonly messages: MessageRow[] = [];
  readonly status: StatusRow[] = [];
  readonly events: EventRow[] = [];
  readonly clips: ClipRow[] = [];
  readonly chunks: ChunkRow[] = [];
  readonly quarantine: QuarantineRow[] = [];
  readonly overflow: OverflowRow[] = [];
  readonly levels: LevelsItem[] = [];
  readonly leaves: LeafRow[] = [];
  /** Quarantine ids taken so far from the snapshot's. */
  quarantineIdsUsed = 0;
  /** Bytes charged by this batch's quarantine rows, per device ('' for none). */
  readonly charged = new Map<string, number>();

  readonly #ledger = new Map<string, Buffer>();
  readonly #latest = new Map<string, LatestStatus>();
  readonly #events = new Map<string, EventRow>();
  /** The batch's clip rows by (device, seq) and by (device, clipId); its chunk numbers by (device, clipId). */
  readonly #clipsBySeq = new Map<string, ClipRow>();
  readonly #clipsById = new Map<string, ClipRow>();
  readonly #chunkNumbers = new Map<string, Set<number>>();
  /** Bytes of new orphan chunks per device. */
  readonly orphanAdded = new Map<string, number>();

  addMessage(r: MessageRow): void {
    this.messages.push(r);
    this.#ledger.set(ledgerKey(r.device, r.seq), r.sha256);
  }

  addStatus(r: StatusRow): void {
    this.status.push(r);
    this.#noteStatus(r);
  }

  addEvent(r: EventRow): void {
    this.events.push(r);
    this.#events.set(ledgerKey(r.device, r.seq), r);
  }

  addClip(r: ClipRow): void {
    this.clips.push(r);
    this.#clipsBySeq.set(ledgerKey(r.device, r.seq), r);
    this.#clipsById.set(clipKey(r.device, r.clipId), r);
  }

  addChunk(r: ChunkRow, orphanCost: number): void {
    this.chunks.push(r);
    this.#noteChunk(r);
    if (orphanCost > 0) this.orphanAdded.set(r.device, (this.orphanAdded.get(r.device) ?? 0) + orphanCost);
  }

  clip(device: string, seq: number): ClipRow | undefined {
    return this.#clipsBySeq.get(ledgerKey(device, seq));
  }

  /** The batch's own manifest of a clip, as a stored one reads. */
  manifest(device: string, clipId: string): StoredManifest | undefined {
    const r = this.#clipsById.get(clipKey(device, clipId));
    return r === undefined ? undefined : { sha256: r.sha256, bytes: r.bytes, chunks: r.chunks, chunkBytes: r.chunkBytes, state: 'incomplete' };
  }

  chunkNumbers(device: string, clipId: string): ReadonlySet<number> | undefined {
    return this.#chunkNumbers.get(clipKey(device, clipId));
  }

  ledgerSha(device: string, seq: number): Buffer | undefined {
    return this.#ledger.get(ledgerKey(device, seq));
  }

  latestStatus(device: string): LatestStatus | undefined {
    return this.#latest.get(device);
  }

  event(device: string, seq: number): EventRow | undefined {
    return this.#events.get(ledgerKey(device, seq));
  }

  mark(): Mark {
    return [this.messages.length, this.status.length, this.events.length, this.quarantine.length, this.overflow.length, this.levels.length, this.leaves.length, this.quarantineIdsUsed, this.clips.length, this.chunks.length];
  }

  rollback(m: Mark): void {
    const [messages, status, events, quarantine, overflow, levels, leaves, ids, clips, chunks] = m as [number, number, number, number, number, number, number, number, number, number];
    for (const q of this.quarantine.slice(quarantine)) this.charged.set(q.device ?? '', (this.charged.get(q.device ?? '') ?? 0) - chargeOf(q));
    this.messages.length = messages;
    this.status.length = status;
    this.events.length = events;
    this.quarantine.length = quarantine;
    this.overflow.length = overflow;
    this.levels.length = levels;
    this.leaves.length = leaves;
    this.quarantineIdsUsed = ids;
    // Chunks are never in a savepoint (pipeline.ts stores them outside one); a manifest is.
    this.clips.length = clips;
    this.chunks.length = chunks;
    this.#clipsBySeq.clear();
    this.#clipsById.clear();
    for (const r of this.clips) {
      this.#clipsBySeq.set(ledgerKey(r.device, r.seq), r);
      this.#clipsById.set(clipKey(r.device, r.clipId), r);
    }
    this.#chunkNumbers.clear();
    for (const r of this.chunks) this.#noteChunk(r);
    this.#ledger.clear();
    for (const r of this.messages) this.#ledger.set(ledgerKey(r.device, r.seq), r.sha256);
    this.#latest.clear();
    for (const r of this.status) this.#noteStatus(r);
    this.#events.clear();
    for (const r of this.events) this.#events.set(ledgerKey(r.device, r.seq), r);
  }

  #noteChunk(r: ChunkRow): void {
    const key = clipKey(r.device, r.clipId);
    let set = this.#chunkNumbers.get(key);
    if (set === undefined) this.#chunkNumbers.set(key, (set = new Set()));
    set.add(r.n);
  }

  #noteStatus(r: StatusRow): void {
    const prev = this.#latest.get(r.device);
    if (prev === undefined || r.seq > prev.seq) this.#latest.set(r.device, { seq: r.seq, synced: r.synced === null ? null : r.synced === 1, offsetMs: r.offsetMs });
  }
}

/** store/quarantine.ts: a row is charged ROW_COST_BYTES beside the payload it keeps. */
export function chargeOf(q: QuarantineRow): number {
  return ROW_COST_BYTES + q.raw.length;
}
