/**
 * The monitor's durable outbox (issue 3, "Uplink that loses nothing"): an
 * append-only journal of length + CRC-32 framed records in segment files.
 *
 * Durability policy (fsync):
 * - every enqueue (each 1 s level record as it is made, event, incident mark,
 *   status, clip) is fsynced before enqueue returns: ≈ 0.25 ms per append here
 *   (bench/outbox-append.ts), so a power cut loses at most the second being
 *   measured (issue 18). Batching is on the wire, not on disk: consecutive
 *   unsigned level records (of the levels stream: events between them go out
 *   on their own) are combined into one levels message when first taken for
 *   publishing (a `compact` record naming them, then the `signed`
 *   one, in the same fsync), and a trailing run shorter than `wireBatchRecords`
 *   waits for more unless `releaseLevels()` was called;
 * - a message is signed at its first publish: seq allocated, envelope signed and
 *   the exact bytes journaled, one fsync for the whole batch handed to the
 *   uplink, before any of it is published. A redelivery (also after a restart)
 *   re-sends those identical bytes; a seq is never signed twice. Levels waiting
 *   unsigned can therefore be compacted without a gap or reuse of seq;
 * - acknowledgements are written without fsync: a lost ack only causes a
 *   redelivery of identical bytes, which the ingest stores once (DESIGN §4,
 *   key device + seq). The journal is fsynced before a segment or a clip file
 *   is deleted, so nothing is deleted on the strength of an ack not yet on disk.
 *
 * Segments are deleted oldest first once nothing in them is live (an ack
 * record must outlive the records it cancels, which lie in the same or an
 * older segment).
 *
 * Quota: journal bytes plus waiting clip files. Past the quota, the live
 * records of the oldest segments are copied forward and those segments
 * deleted, then unsigned level batches are compacted, oldest first, by halving
 * their resolution (level-compaction.ts) until use is back under LOW_WATER of
 * the quota. Events, incident marks, status and clips are never dropped; if
 * they alone exceed the quota the outbox keeps them and reports
 * EARSHOT_E_JOURNAL_FULL in stats().errors.
 *
 * Full disk (issue 18): level enqueues fail with ENOSPC (the daemon holds them
 * in memory, memory-hold.ts); every other append may draw on the journal's
 * space reserve (journal-reserve.ts), so events, heartbeats, gap records,
 * signatures and acks are still journaled. `refillReserve()` restores it once
 * space returns.
 *
 * A `checkpoint` record (at most one live) carries the monitor's open events,
 * written in the same fsync as the message it accompanies (see Daemon).
 *
 * One process per outbox directory (the daemon); the journal is not locked.
 */
import type { KeyObject } from 'node:crypto';
import { mkdirSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  bodySchemas, ClipManifest, describeIssues, EarshotError, LevelsBody, MAX_RECORDS_PER_BATCH, signEnvelope, topics,
  type ErrorInfo, type SignedKind, type StatusBody,
} from '@earshot/shared';
import { describeClipFile, readClipChunk } from './clip-file.ts';
import { JournalReserve } from './journal-reserve.ts';
import { encodeFrame, FRAME_HEADER_BYTES } from './frame.ts';
import { compactionGroups, type CompactionCandidate } from './level-compaction.ts';
import { decodeLevelsBody, encodeLevelsBody } from './levels-codec.ts';
import {
  CHUNK_ACKED, CHUNK_DELIVERED, CHUNK_IN_FLIGHT, CHUNK_PENDING, decodeCompactData, encodeCompactData, OutboxState,
  type ClipRecordJson, type Entry, type Loc,
} from './outbox-state.ts';
import { decodeRecord, encodeRecord, RECORD_HEAD_BYTES, type RecordType } from './record-codec.ts';
import { ActiveSegment, fsyncDir, listSegments, readFromSegment, readSegment, removeSegment } from './segment-files.ts';

/** 72 h of 1 s levels, one record a message as the daemon journals them, take ≈ 34 MiB with 33 bands (levels-codec.ts: 111 + 26 bytes a record), 17 MiB without; 256 MiB holds that seven times over plus clips, on a 16 GB SD card. */
export const DEFAULT_QUOTA_BYTES = 256 * 1024 * 1024;
/** ≈ 2 500 levels batches (7 h) per segment: few files, and a segment is read whole at open. */
export const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;
/** Compaction stops at 1 h records: coarser would blur the Noise Act 1996 night period (23:00–07:00) itself. */
export const DEFAULT_MAX_RECORD_SECONDS = 3_600;
/** Records per compacted batch: one message then covers 60 compacted records. */
export const DEFAULT_RECORDS_PER_MESSAGE = 60;
/** After compaction, use falls to this fraction of the quota, so compaction is not run on every append. */
const LOW_WATER = 0.8;
/** Rewriting old segments over quota is worth it only when it frees this fraction of the quota. */
const MIN_GAIN = 0.05;

export type QueuedKind = Exclude<SignedKind, 'clip'>;

export interface OutboxOptions {
  readonly dir: string;
  readonly deviceId: string;
  readonly privateKey: KeyObject;
  readonly quotaBytes?: number;
  readonly segmentBytes?: number;
  readonly maxRecordSeconds?: number;
  readonly recordsPerMessage?: number;
  /** Bytes kept free for the journal on a full disk (journal-reserve.ts; the daemon uses DEFAULT_RESERVE_BYTES); default 0, none. */
  readonly reserveBytes?: number;
  /**
   * Combine consecutive unsigned level records into one message when signing,
   * and let a trailing run shorter than this wait for more (RemoteConfig.levelsBatch).
   * Unset: each enqueued levels body is its own message.
   */
  readonly wireBatchRecords?: number;
  readonly now?: () => Date;
}

export interface EnqueueOptions {
  /** The monitor's state to journal with this message, in the same fsync (replaces the previous checkpoint). */
  readonly checkpoint?: unknown;
  /** May draw on the journal's space reserve when the disk is full (default true; level records pass false). */
  readonly reserve?: boolean;
}

/** One publish the uplink is to make. */
export interface OutgoingPart {
  readonly id: number;
  /** -1 for a signed message or clip manifest, else the chunk number. */
  readonly chunk: number;
  readonly topic: string;
  readonly payload: Buffer;
  /** seq of a signed message, null for a raw clip chunk. */
  readonly seq: number | null;
}

export interface OutboxStats {
  /** Publishes not yet acknowledged (a clip counts its manifest and each chunk). */
  readonly depth: number;
  /** Journal plus waiting clip files. */
  readonly bytes: number;
  readonly quotaBytes: number;
  /** 1 s level records merged into coarser ones since the outbox was opened. */
  readonly compactedRecords: number;
  readonly journalBytes: number;
  readonly clipBytes: number;
  readonly segments: number;
  readonly overQuota: boolean;
  readonly nextSeq: number;
  /** Bytes of a torn last record cut off at open (a power cut mid-append): expected, reported, not an error. */
  readonly tornTailBytes: number;
  /** Bytes of the space reserve left, and its target. */
  readonly reserveBytes: number;
  readonly reserveTarget: number;
  /** What to report in status: EARSHOT_E_JOURNAL_CORRUPT (damage beyond a torn tail, found at open), EARSHOT_E_JOURNAL_FULL (over quota with nothing left to compact), EARSHOT_E_CLIP_FILE (a clip file unreadable). */
  readonly errors: readonly ErrorInfo[];
}

/** The outbox part of the status heartbeat (StatusBody.outbox, DESIGN §4). */
export function outboxStatus(s: OutboxStats): StatusBody['outbox'] {
  const out: StatusBody['outbox'] = { depth: s.depth, bytes: s.bytes, quotaBytes: s.quotaBytes, compactedRecords: s.compactedRecords };
  if (s.tornTailBytes > 0) out.tornTailBytes = s.tornTailBytes;
  if (s.reserveTarget > 0) out.reserve = { bytes: s.reserveBytes, of: s.reserveTarget };
  if (s.errors.length > 0) out.errors = s.errors.slice(0, 10).map((e) => ({ code: e.code, detail: e.detail.slice(0, 500) }));
  return out;
}

export class Outbox {
  private readonly state = new OutboxState();
  private readonly sizes = new Map<number, number>();
  private active: ActiveSegment;
  private readonly quotaBytes: number;
  private readonly segmentBytes: number;
  private readonly maxRecordSeconds: number;
  private readonly recordsPerMessage: number;
  private readonly now: () => Date;
  private compactedRecords = 0;
  private overQuota = false;
  private tornTailBytes = 0;
  private readonly damageNotes: string[] = [];
  private readonly clipErrors: ErrorInfo[] = [];
  private readonly reserve: JournalReserve | null;
  private wireBatch: number | null;
  private levelsReleased = false;
  private closed = false;
  /**
   * Signed entries in seq order, for stored receipts (DESIGN §4): built at the
   * first receipt(), then appended to as messages are signed (seqs only grow).
   * Entries gone meanwhile are skipped when reached.
   */
  private bySeq: Entry[] | null = null;
  private bySeqHead = 0;

  private constructor(private readonly opts: OutboxOptions) {
    this.quotaBytes = opts.quotaBytes ?? DEFAULT_QUOTA_BYTES;
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.maxRecordSeconds = opts.maxRecordSeconds ?? DEFAULT_MAX_RECORD_SECONDS;
    this.recordsPerMessage = opts.recordsPerMessage ?? DEFAULT_RECORDS_PER_MESSAGE;
    this.now = opts.now ?? (() => new Date());
    this.wireBatch = opts.wireBatchRecords ?? null;
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const reserveBytes = opts.reserveBytes ?? 0;
    this.reserve = reserveBytes > 0 ? new JournalReserve(opts.dir, reserveBytes) : null;
    const present = listSegments(opts.dir);
    const last = present[present.length - 1] ?? 0;
    for (const n of present) {
      const seg = readSegment(opts.dir, n);
      // Segments are fsynced before the next is started, so only the last can be torn by a power cut; damage elsewhere is corruption.
      if (seg.damage !== null && n === last) this.tornTailBytes = seg.damage.bytesCut;
      else if (seg.damage !== null) this.damageNotes.push(`segment ${n}: ${seg.damage.detail}, ${seg.damage.bytesCut} bytes cut`);
      this.sizes.set(n, seg.frames.length === 0 ? 0 : seg.frames[seg.frames.length - 1]!.offset + seg.frames[seg.frames.length - 1]!.length);
      for (const f of seg.frames) {
        const rec = decodeRecord(seg.buf.subarray(f.offset, f.offset + f.length));
        if (rec === null) this.state.unreadable++;
        else this.state.apply(rec, { seg: n, off: f.offset, len: f.length });
      }
    }
    this.state.finishReplay();
    if (this.state.unreadable > 0) this.damageNotes.push(`${this.state.unreadable} unreadable records skipped`);
    this.active = this.startSegment(last + 1);
    this.reclaim();
  }

  /** Opens (or creates) the outbox in `opts.dir`, replaying its journal. Never throws on damage: it is cut off and reported in stats(). */
  static open(opts: OutboxOptions): Outbox {
    return new Outbox(opts);
  }

  /**
   * Journals a message durably (fsync) and returns its outbox id. The body is
   * validated with the shared schema. Throws the write's error (ENOSPC) when
   * the disk is full and the reserve may not or cannot take it: nothing is
   * then journaled.
   */
  enqueue(kind: QueuedKind, body: unknown, opts: EnqueueOptions = {}): number {
    const parsed = bodySchemas[kind].safeParse(body);
    if (!parsed.success) throw new EarshotError('EARSHOT_E_BODY_INVALID', `${kind}: ${describeIssues(parsed.error)}`);
    const id = this.state.nextId;
    const reserve = opts.reserve ?? true;
    const data = kind === 'levels' ? encodeLevelsBody(parsed.data as LevelsBody) : Buffer.from(JSON.stringify(parsed.data), 'utf8');
    this.append('message', kind, id, 0, data, reserve);
    // After the message: a power cut between the two keeps the message and the older checkpoint (at worst an event ended twice).
    if (opts.checkpoint !== undefined) this.writeCheckpoint(opts.checkpoint, reserve);
    this.active.sync();
    this.enforceQuota();
    return id;
  }

  /** Journals the monitor's state on its own (fsync). */
  checkpoint(data: unknown): void {
    this.writeCheckpoint(data, true);
    this.active.sync();
  }

  /** The latest checkpoint journaled (parsed JSON), or null. */
  lastCheckpoint(): unknown {
    const loc = this.state.checkpoint;
    if (loc === null) return null;
    try {
      return JSON.parse(decodeRecord(this.readPayload(loc))!.data.toString('utf8')) as unknown;
    } catch {
      return null;
    }
  }

  private writeCheckpoint(data: unknown, reserve: boolean): void {
    this.append('checkpoint', 'status', 0, 0, Buffer.from(JSON.stringify(data), 'utf8'), reserve);
  }

  /** Wire batching (RemoteConfig.levelsBatch): records a levels message should carry when the link keeps up. */
  setWireBatch(records: number): void {
    this.wireBatch = Math.max(1, records);
  }

  /** Lets the next take() sign the level records waiting, however few (before a heartbeat, at shutdown). */
  releaseLevels(): void {
    this.levelsReleased = true;
  }

  /** Whether part of the space reserve is given back (the disk was full since). */
  get reserveShort(): boolean {
    return this.reserve !== null && this.reserve.bytes < this.reserve.target;
  }

  /** Tries to grow the space reserve back to its size (after a full disk); true when it is full. */
  refillReserve(): boolean {
    return this.reserve?.refill() ?? true;
  }

  /**
   * Journals a clip: the WAV file at `path` (which the outbox now owns and
   * deletes once the manifest and every chunk are acknowledged) and its
   * manifest, which must describe the file exactly.
   */
  async enqueueClip(path: string, manifest: ClipManifest): Promise<number> {
    const parsed = ClipManifest.safeParse(manifest);
    if (!parsed.success) throw new EarshotError('EARSHOT_E_BODY_INVALID', `clip: ${describeIssues(parsed.error)}`);
    const m = parsed.data;
    let facts;
    try {
      facts = await describeClipFile(path, m.chunkBytes);
    } catch (e) {
      throw new EarshotError('EARSHOT_E_CLIP_FILE', `${path}: ${(e as Error).message}`);
    }
    if (facts.sha256 !== m.sha256 || facts.bytes !== m.bytes || facts.chunks !== m.chunks) {
      throw new EarshotError('EARSHOT_E_CLIP_FILE', `${path} does not match its manifest (sha256 ${facts.sha256}, ${facts.bytes} bytes)`);
    }
    const id = this.state.nextId;
    const data: ClipRecordJson = { path: resolve(path), manifest: m, ackedChunks: [], manifestAcked: false };
    this.append('clip', 'clip', id, 0, Buffer.from(JSON.stringify(data), 'utf8'));
    this.active.sync();
    this.enforceQuota();
    return id;
  }

  /**
   * The next publishes in outbox order, at most `limit`, marked in flight.
   * Unsigned messages among them are signed now (seq allocated) and their
   * signed bytes fsynced before this returns.
   */
  take(limit: number): OutgoingPart[] {
    const parts: OutgoingPart[] = [];
    let signed = false;
    let failed: unknown = null;
    // Unsigned level entries gathered to go out as one message (wire batching; only with wireBatchRecords set):
    // consecutive in the levels stream, whatever other messages lie between them.
    let run: { entry: Entry; body: LevelsBody }[] = [];
    let runRecords = 0;
    const wire = this.wireBatch;
    const maxRunRecords = Math.min(MAX_RECORDS_PER_BATCH, Math.max(wire ?? 1, this.recordsPerMessage));
    const sign = (e: Entry, combined: readonly { entry: Entry; body: LevelsBody }[] | null): boolean => {
      try {
        if (combined !== null && combined.length > 1) this.combine(combined);
        if (e.signed === null) signed = true;
        parts.push(this.signedPart(e));
        e.inFlight = true;
        return true;
      } catch (err) {
        // A full disk or a failing card: what is already taken goes out; the rest waits for the next take.
        failed = err;
        return false;
      }
    };
    const flushRun = (): boolean => {
      const r = run;
      run = [];
      runRecords = 0;
      return r.length === 0 || sign(r[0]!.entry, r);
    };
    // Map iteration skips entries deleted meanwhile (the later members of a combined run lie behind the cursor).
    for (const e of this.state.entries.values()) {
      if (parts.length >= limit) break;
      const clip = e.clip;
      if (clip !== null && clip.broken !== null) continue;
      if (wire !== null && e.kind === 'levels' && e.signed === null && e.body !== null && !e.inFlight) {
        const body = decodeLevelsBody(this.bodyBytes(e.body));
        if (run.length > 0 && (body.fullScaleDb !== run[0]!.body.fullScaleDb || runRecords + body.records.length > maxRunRecords)) {
          if (!flushRun() || parts.length >= limit) break;
        }
        run.push({ entry: e, body });
        runRecords += body.records.length;
        continue;
      }
      // Events, heartbeats and clips go out as they come; the levels run gathers past them (each stream keeps its own order).
      if (!e.inFlight && !(clip?.manifestAcked ?? false) && !sign(e, null)) break;
      if (clip === null) continue;
      for (let n = 0; n < clip.chunks.length && parts.length < limit; n++) {
        if (clip.chunks[n] !== CHUNK_PENDING) continue;
        let payload: Buffer;
        try {
          payload = readClipChunk(clip.path, n, clip.manifest.chunkBytes, clip.manifest.bytes);
        } catch (err) {
          clip.broken = (err as Error).message;
          this.clipErrors.push({ code: 'EARSHOT_E_CLIP_FILE', detail: `${clip.manifest.clipId}: ${clip.broken}` });
          break;
        }
        clip.chunks[n] = CHUNK_IN_FLIGHT;
        parts.push({ id: e.id, chunk: n, topic: topics.clipChunk(this.opts.deviceId, clip.manifest.clipId, n), payload, seq: null });
      }
    }
    // The run at the end of the queue waits for a full wire batch, unless asked to go (heartbeat, shutdown).
    const atEnd = failed === null && parts.length < limit;
    if (run.length > 0 && atEnd && (runRecords >= (wire ?? 1) || this.levelsReleased)) flushRun();
    if (failed !== null && parts.length === 0) throw failed;
    if (signed) this.active.sync();
    if (atEnd) this.levelsReleased = false;
    return parts;
  }

  /** Journals a run of unsigned level entries as one (a compact record naming them all), in the first one's place. */
  private combine(run: readonly { entry: Entry; body: LevelsBody }[]): void {
    const records: LevelsBody['records'] = [];
    for (const r of run) for (const rec of r.body.records) records.push(rec);
    const body: LevelsBody = { fullScaleDb: run[0]!.body.fullScaleDb, records };
    this.append('compact', 'levels', run[0]!.entry.id, 0, encodeCompactData(run.map((r) => r.entry.id), encodeLevelsBody(body)));
  }

  /** The broker acknowledged `part` (PUBACK): it leaves the outbox. */
  ack(part: Pick<OutgoingPart, 'id' | 'chunk'>): void {
    const e = this.state.entries.get(part.id);
    if (e === undefined) return;
    if (part.chunk < 0) this.append('ack', e.kind, e.id, 0);
    else this.append('ackChunk', 'clip', e.id, part.chunk);
    if (this.state.deadSegs.size > 0 || this.state.finishedClips.length > 0) this.reclaim();
  }

  /**
   * Stored receipts (DESIGN §4): the broker acknowledged `part` (PUBACK), which
   * says only that it reached the broker. It stays in the journal and is not
   * taken again until a receipt covers it (receipt()) or it is released to be
   * sent again (resendUnreceipted(), releaseAll()).
   */
  delivered(part: Pick<OutgoingPart, 'id' | 'chunk'>, now: number): void {
    const e = this.state.entries.get(part.id);
    if (e === undefined) return;
    if (part.chunk < 0) {
      if (!e.inFlight) return;
      e.delivered = true;
    } else {
      const c = e.clip;
      if (c === null || c.chunks[part.chunk] !== CHUNK_IN_FLIGHT) return;
      c.chunks[part.chunk] = CHUNK_DELIVERED;
    }
    e.deliveredAt = now;
  }

  /**
   * A valid stored receipt (DESIGN §4): every signed message with seq ≤ `stored`
   * is stored at the ingest, so they leave the journal — a clip with its
   * manifest, as the ingest counts a manifest stored only once every chunk is.
   * Returns how many entries left. The acks are written without fsync, as PUBACK
   * acks were: a lost one only means an identical resend, stored once.
   */
  receipt(stored: number): number {
    let q = this.bySeq;
    if (q === null) {
      q = [];
      for (const e of this.state.entries.values()) if (e.seq !== null && e.signed !== null) q.push(e);
      q.sort((a, b) => a.seq! - b.seq!);
      this.bySeq = q;
      this.bySeqHead = 0;
    }
    let dropped = 0;
    while (this.bySeqHead < q.length && q[this.bySeqHead]!.seq! <= stored) {
      const e = q[this.bySeqHead++]!;
      if (this.state.entries.get(e.id) !== e) continue;
      const clip = e.clip;
      if (clip === null) {
        this.append('ack', e.kind, e.id, 0);
      } else {
        if (!clip.manifestAcked) this.append('ack', 'clip', e.id, 0);
        for (let n = 0; n < clip.chunks.length; n++) if (clip.chunks[n] !== CHUNK_ACKED) this.append('ackChunk', 'clip', e.id, n);
      }
      dropped++;
    }
    if (this.bySeqHead > 1024 && this.bySeqHead * 2 > q.length) {
      this.bySeq = q.slice(this.bySeqHead);
      this.bySeqHead = 0;
    }
    if (this.state.deadSegs.size > 0 || this.state.finishedClips.length > 0) this.reclaim();
    return dropped;
  }

  /**
   * Puts back, to be sent again, what was PUBACKed at least `olderThanMs` ago
   * and is still not receipted (DESIGN §4: resent after a reconnect or a
   * timeout). A clip goes back whole (manifest and delivered chunks) once none of
   * it is still being sent. Returns how many entries went back.
   */
  resendUnreceipted(now: number, olderThanMs: number): number {
    let n = 0;
    for (const e of this.state.entries.values()) {
      if (e.deliveredAt === 0 || now - e.deliveredAt < olderThanMs) continue;
      const clip = e.clip;
      if (clip !== null) {
        if (e.inFlight && !e.delivered) continue;
        let busy = false;
        for (let c = 0; c < clip.chunks.length; c++) if (clip.chunks[c] === CHUNK_IN_FLIGHT) busy = true;
        if (busy) continue;
        for (let c = 0; c < clip.chunks.length; c++) if (clip.chunks[c] === CHUNK_DELIVERED) clip.chunks[c] = CHUNK_PENDING;
      } else if (!e.delivered) {
        continue;
      }
      if (e.delivered) e.inFlight = false;
      e.delivered = false;
      e.deliveredAt = 0;
      n++;
    }
    return n;
  }

  /** `part` was not delivered (the uplink stopped): it will be taken again. */
  release(part: Pick<OutgoingPart, 'id' | 'chunk'>): void {
    const e = this.state.entries.get(part.id);
    if (e === undefined) return;
    if (part.chunk < 0) e.inFlight = false;
    else if (e.clip !== null && e.clip.chunks[part.chunk] === CHUNK_IN_FLIGHT) e.clip.chunks[part.chunk] = CHUNK_PENDING;
  }

  /** Releases every part in flight. */
  releaseAll(): void {
    for (const e of this.state.entries.values()) {
      e.inFlight = false;
      e.delivered = false;
      e.deliveredAt = 0;
      if (e.clip === null) continue;
      const c = e.clip.chunks;
      for (let n = 0; n < c.length; n++) if (c[n] === CHUNK_IN_FLIGHT || c[n] === CHUNK_DELIVERED) c[n] = CHUNK_PENDING;
    }
  }

  /** Absolute paths of the clip files the outbox holds (to find clips finished but never queued). */
  clipPaths(): Set<string> {
    const paths = new Set<string>();
    for (const e of this.state.entries.values()) if (e.clip !== null) paths.add(e.clip.path);
    return paths;
  }

  stats(): OutboxStats {
    const journalBytes = this.journalBytes();
    return {
      depth: this.state.depth,
      bytes: journalBytes + this.state.clipBytes,
      quotaBytes: this.quotaBytes,
      compactedRecords: this.compactedRecords,
      journalBytes,
      clipBytes: this.state.clipBytes,
      segments: this.sizes.size,
      overQuota: this.overQuota,
      nextSeq: this.state.nextSeq,
      tornTailBytes: this.tornTailBytes,
      reserveBytes: this.reserve?.bytes ?? 0,
      reserveTarget: this.reserve?.target ?? 0,
      errors: this.errors(journalBytes),
    };
  }

  private errors(journalBytes: number): ErrorInfo[] {
    const out: ErrorInfo[] = [];
    if (this.damageNotes.length > 0) out.push({ code: 'EARSHOT_E_JOURNAL_CORRUPT', detail: this.damageNotes.join('; ') });
    if (this.overQuota) out.push({ code: 'EARSHOT_E_JOURNAL_FULL', detail: `${journalBytes + this.state.clipBytes} of ${this.quotaBytes} bytes, held by messages that are never dropped` });
    return out.concat(this.clipErrors);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.active.sync();
    this.active.close();
    this.reserve?.close();
  }

  // --- journal I/O ------------------------------------------------------------

  private append(type: RecordType, kind: SignedKind, id: number, aux: number, data?: Buffer, reserve = true): Loc {
    if (this.closed) throw new EarshotError('EARSHOT_E_OUTBOX_CLOSED', this.opts.dir);
    const payload = encodeRecord(type, kind, id, aux, data);
    const frame = encodeFrame(payload);
    if (this.active.size > 0 && this.active.size + frame.length > this.segmentBytes) this.roll();
    let off: number;
    try {
      off = this.active.append(frame, FRAME_HEADER_BYTES);
    } catch (e) {
      // Disk full: give back part of the reserve and try once more (journal-reserve.ts).
      if (!reserve || (e as NodeJS.ErrnoException).code !== 'ENOSPC' || this.reserve === null || !this.reserve.release(frame.length)) throw e;
      off = this.active.append(frame, FRAME_HEADER_BYTES);
    }
    this.sizes.set(this.active.n, this.active.size);
    const loc = { seg: this.active.n, off, len: payload.length };
    this.state.apply({ type, kind, id, aux, data: payload.subarray(RECORD_HEAD_BYTES) }, loc);
    return loc;
  }

  private startSegment(n: number): ActiveSegment {
    const seg = new ActiveSegment(this.opts.dir, n);
    this.active = seg;
    this.sizes.set(n, 0);
    // Every segment opens with the counters, so seq survives the deletion of every older segment (DESIGN §4).
    this.append('header', 'status', this.state.nextId, this.state.nextSeq);
    seg.sync();
    return seg;
  }

  private roll(): void {
    const old = this.active;
    old.sync();
    old.close();
    this.startSegment(old.n + 1);
    this.reclaim();
  }

  private readPayload(loc: Loc): Buffer {
    const payload = loc.seg === this.active.n ? this.active.read(loc.off, loc.len) : readFromSegment(this.opts.dir, loc.seg, loc.off, loc.len);
    const rec = decodeRecord(payload);
    if (rec === null) throw new EarshotError('EARSHOT_E_JOURNAL_CORRUPT', `unreadable record in segment ${loc.seg} at ${loc.off}`);
    return payload;
  }

  /** The body bytes of an unsigned message (from a message or compact record): JSON, or a levels body (levels-codec.ts). */
  private bodyBytes(loc: Loc): Buffer {
    const rec = decodeRecord(this.readPayload(loc))!;
    return rec.type === 'compact' ? decodeCompactData(rec.data).bodyJson : rec.data;
  }

  /** The body of an unsigned message, as the envelope carries it. */
  private body(e: Entry): unknown {
    const bytes = this.bodyBytes(e.body!);
    return e.kind === 'levels' ? decodeLevelsBody(bytes) : JSON.parse(bytes.toString('utf8'));
  }

  private signedPart(e: Entry): OutgoingPart {
    const topic = topics[e.kind](this.opts.deviceId);
    if (e.signed !== null) return { id: e.id, chunk: -1, topic, payload: decodeRecord(this.readPayload(e.signed))!.data, seq: e.seq };
    const body: unknown = e.clip !== null ? e.clip.manifest : this.body(e);
    const seq = this.state.nextSeq;
    const payload = signEnvelope({ v: 1, device: this.opts.deviceId, seq, sentAt: this.now().toISOString(), type: e.kind, body }, this.opts.privateKey);
    this.append('signed', e.kind, e.id, seq, payload);
    this.bySeq?.push(e);
    return { id: e.id, chunk: -1, topic, payload, seq };
  }

  private deleteFinishedClips(): void {
    this.active.sync();
    const live = new Set<string>();
    for (const e of this.state.entries.values()) if (e.clip !== null) live.add(e.clip.path);
    for (const path of this.state.finishedClips.splice(0)) {
      if (live.has(path)) continue;
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.clipErrors.push({ code: 'EARSHOT_E_CLIP_FILE', detail: `cannot delete ${path}: ${(err as Error).message}` });
      }
    }
  }

  /**
   * Deletes the oldest closed segments while they hold nothing live, after
   * making the acks that killed them durable. Deletion is strictly oldest
   * first: an ack record must outlive every record it cancels, which always lie
   * in the same or an older segment.
   */
  private reclaim(): void {
    const dead: number[] = [];
    for (const n of this.sizes.keys()) {
      if (n === this.active.n || this.live(n) > 0) break;
      dead.push(n);
    }
    this.state.deadSegs.clear();
    if (dead.length > 0) {
      this.active.sync();
      for (const n of dead) {
        removeSegment(this.opts.dir, n);
        this.sizes.delete(n);
        this.state.segLive.delete(n);
      }
      fsyncDir(this.opts.dir);
    }
    if (this.state.finishedClips.length > 0) this.deleteFinishedClips();
  }

  private live(n: number): number {
    return this.state.segLive.get(n) ?? 0;
  }

  private journalBytes(): number {
    let total = 0;
    for (const s of this.sizes.values()) total += s;
    return total;
  }

  private total(): number {
    return this.journalBytes() + this.state.clipBytes;
  }

  // --- quota ------------------------------------------------------------------

  private enforceQuota(): void {
    if (this.total() <= this.quotaBytes) {
      this.overQuota = false;
      return;
    }
    this.rewriteOldSegments();
    const low = this.quotaBytes * LOW_WATER;
    while (this.total() > low) {
      if (this.compactLevels(this.total() - low) <= 0) break;
      this.rewriteOldSegments();
    }
    this.overQuota = this.total() > this.quotaBytes;
  }

  /**
   * Copies the live records of the oldest segments forward and deletes those
   * segments, when that frees at least MIN_GAIN of the quota (so an outbox over
   * quota with nothing to free does not rewrite itself on every append).
   */
  private rewriteOldSegments(): void {
    const minGain = this.quotaBytes * MIN_GAIN;
    if (this.active.size - this.live(this.active.n) > minGain) this.roll();
    const low = this.quotaBytes * LOW_WATER;
    let gain = 0;
    const victims = new Set<number>();
    for (const [n, size] of this.sizes) {
      if (n === this.active.n || this.total() - gain <= low) break;
      victims.add(n);
      gain += size - this.live(n);
    }
    if (gain < minGain) return;
    for (const e of [...this.state.entries.values()]) {
      if (e.body !== null && victims.has(e.body.seg)) {
        if (e.clip !== null) {
          const acked: number[] = [];
          e.clip.chunks.forEach((s, n) => {
            if (s === CHUNK_ACKED) acked.push(n);
          });
          const data: ClipRecordJson = { path: e.clip.path, manifest: e.clip.manifest, ackedChunks: acked, manifestAcked: e.clip.manifestAcked };
          this.append('clip', 'clip', e.id, 0, Buffer.from(JSON.stringify(data), 'utf8'));
        } else {
          this.append('message', e.kind, e.id, 0, this.bodyBytes(e.body));
        }
      }
      if (e.signed !== null && victims.has(e.signed.seg)) {
        this.append('signed', e.kind, e.id, e.seq!, decodeRecord(this.readPayload(e.signed))!.data);
      }
    }
    const cp = this.state.checkpoint;
    if (cp !== null && victims.has(cp.seg)) this.append('checkpoint', 'status', 0, 0, decodeRecord(this.readPayload(cp))!.data);
    this.reclaim();
  }

  /** Merges unsigned level batches, oldest first, until about `target` bytes are saved; returns the bytes saved. */
  private compactLevels(target: number): number {
    const candidates: CompactionCandidate[] = [];
    for (const e of this.state.entries.values()) {
      if (e.kind === 'levels' && e.signed === null && e.body !== null) candidates.push({ id: e.id, bytes: e.body.len + FRAME_HEADER_BYTES });
    }
    // Checked as it would be sent; merged from the bands as kept (0.01 dB where compacted before: levels-codec.ts).
    const bodyOf = (c: CompactionCandidate): LevelsBody => {
      const bytes = this.bodyBytes(this.state.entries.get(c.id)!.body!);
      LevelsBody.parse(decodeLevelsBody(bytes));
      return decodeLevelsBody(bytes, true);
    };
    let saved = 0;
    for (const g of compactionGroups(candidates, bodyOf, 2 * this.recordsPerMessage, this.maxRecordSeconds)) {
      const loc = this.append('compact', 'levels', g.ids[0]!, 0, encodeCompactData(g.ids, encodeLevelsBody(g.body)));
      saved += g.oldBytes - (loc.len + FRAME_HEADER_BYTES);
      this.compactedRecords += g.merged1s;
      if (saved >= target) break;
    }
    this.active.sync();
    return saved;
  }
}
