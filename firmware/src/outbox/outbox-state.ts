/**
 * The outbox as a fold over its journal records: which messages are still
 * un-acknowledged, where their bytes are, the next id and seq, and how many
 * live bytes each segment still holds. The same `apply` runs on replay at open
 * and after every live append, so the state after a restart is exactly the
 * state before it. Pure: no I/O (the Outbox reads and writes the files).
 */
import { ClipManifest, type SignedKind } from '@earshot/shared';
import { z } from 'zod';
import { FRAME_HEADER_BYTES } from './frame.ts';
import type { DecodedRecord } from './record-codec.ts';

/** Where a record's payload is: segment number, payload offset and length. */
export interface Loc {
  readonly seg: number;
  readonly off: number;
  readonly len: number;
}

/** Chunk states of a clip. */
export const CHUNK_PENDING = 0;
export const CHUNK_IN_FLIGHT = 1;
export const CHUNK_ACKED = 2;
/** Published and PUBACKed, awaiting the stored receipt of its manifest (DESIGN §4; runtime only, never journaled). */
export const CHUNK_DELIVERED = 3;

export interface ClipState {
  readonly path: string;
  readonly manifest: ClipManifest;
  /** CHUNK_PENDING / CHUNK_IN_FLIGHT / CHUNK_ACKED / CHUNK_DELIVERED per chunk. */
  readonly chunks: Uint8Array;
  ackedChunks: number;
  manifestAcked: boolean;
  /** The file could not be read: reported, not retried until restart. */
  broken: string | null;
}

export interface Entry {
  readonly id: number;
  readonly kind: SignedKind;
  /** The unsigned content (message, compact or clip record); null once a non-clip message is signed. */
  body: Loc | null;
  /** The signed bytes, written once at first publish and re-sent as they are. */
  signed: Loc | null;
  seq: number | null;
  /** The signed part (message or manifest) is published and awaits its PUBACK (runtime only). */
  inFlight: boolean;
  /**
   * Stored receipts (DESIGN §4): the signed part was PUBACKed and awaits a receipt
   * covering its seq; still inFlight, so it is not taken again until released
   * (runtime only: after a restart it is simply sent again).
   */
  delivered: boolean;
  /** Date.now() of the latest PUBACK of this entry's parts while awaiting a receipt; 0 when none. */
  deliveredAt: number;
  clip: ClipState | null;
}

/** Data of a `clip` record. */
export const ClipRecordJson = z.object({
  path: z.string().min(1),
  manifest: ClipManifest,
  ackedChunks: z.array(z.number().int().nonnegative()),
  manifestAcked: z.boolean(),
});
export type ClipRecordJson = z.infer<typeof ClipRecordJson>;

/** Data of a `compact` record: u32 LE count, count × f64 LE replaced ids, then the merged levels body (levels-codec.ts). */
export function encodeCompactData(replaces: readonly number[], bodyJson: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + replaces.length * 8 + bodyJson.length);
  out.writeUInt32LE(replaces.length, 0);
  replaces.forEach((id, i) => out.writeDoubleLE(id, 4 + i * 8));
  bodyJson.copy(out, 4 + replaces.length * 8);
  return out;
}

export function decodeCompactData(data: Buffer): { replaces: number[]; bodyJson: Buffer } {
  const n = data.readUInt32LE(0);
  const replaces: number[] = [];
  for (let i = 0; i < n; i++) replaces.push(data.readDoubleLE(4 + i * 8));
  return { replaces, bodyJson: data.subarray(4 + n * 8) };
}

export class OutboxState {
  /** Un-acked messages in id order (Map insertion order; re-sorted by finishReplay). */
  entries = new Map<number, Entry>();
  nextId = 0;
  nextSeq = 0;
  /** Publishes (signed messages, clip manifests and chunks) not yet acknowledged. */
  depth = 0;
  /** Bytes of clip files waiting to be sent. */
  clipBytes = 0;
  /** Live frame bytes per segment. */
  readonly segLive = new Map<number, number>();
  /** Segments whose live bytes fell to zero since the caller last looked. */
  readonly deadSegs = new Set<number>();
  /** Clip files whose every part is acknowledged, to delete once the acks are durable. */
  readonly finishedClips: string[] = [];
  /** The latest checkpoint record (the monitor's open events), kept live until the next one replaces it. */
  checkpoint: Loc | null = null;
  /** Records that could not be understood on replay (newer version or damage). */
  unreadable = 0;
  /** Signed clip manifests met on replay before their clip record. */
  private readonly orphanManifests = new Map<number, { loc: Loc; seq: number }>();

  apply(rec: DecodedRecord, loc: Loc): void {
    switch (rec.type) {
      case 'header':
        this.nextId = Math.max(this.nextId, rec.id);
        this.nextSeq = Math.max(this.nextSeq, rec.aux);
        return;
      case 'message':
        return this.applyBody(rec, loc);
      case 'clip':
        return this.applyClip(rec, loc);
      case 'signed':
        return this.applySigned(rec, loc);
      case 'ack':
        return this.applyAck(rec.id, -1);
      case 'ackChunk':
        return this.applyAck(rec.id, rec.aux);
      case 'compact':
        return this.applyCompact(rec, loc);
      case 'checkpoint':
        this.unref(this.checkpoint);
        this.checkpoint = loc;
        this.ref(loc);
        return;
    }
  }

  /**
   * Ends a replay: re-orders entries by id (rewritten copies come back later in
   * the journal than their neighbours) and drops signed manifests whose clip
   * record was lost to damage (nothing to send the chunks from).
   */
  finishReplay(): void {
    for (const orphan of this.orphanManifests.values()) {
      this.unref(orphan.loc);
      this.unreadable++;
    }
    this.orphanManifests.clear();
    this.entries = new Map([...this.entries.entries()].sort((a, b) => a[0] - b[0]));
  }

  private applyBody(rec: DecodedRecord, loc: Loc): void {
    this.nextId = Math.max(this.nextId, rec.id + 1);
    const e = this.entries.get(rec.id);
    if (e === undefined) {
      this.entries.set(rec.id, { id: rec.id, kind: rec.kind, body: loc, signed: null, seq: null, inFlight: false, delivered: false, deliveredAt: 0, clip: null });
      this.ref(loc);
      this.depth++;
    } else if (e.signed === null) {
      this.unref(e.body);
      e.body = loc;
      this.ref(loc);
    }
  }

  private applyClip(rec: DecodedRecord, loc: Loc): void {
    this.nextId = Math.max(this.nextId, rec.id + 1);
    const parsed = ClipRecordJson.safeParse(JSON.parse(rec.data.toString('utf8')));
    if (!parsed.success) {
      this.unreadable++;
      return;
    }
    const { path, manifest, ackedChunks, manifestAcked } = parsed.data;
    let e = this.entries.get(rec.id);
    if (e === undefined) {
      const clip: ClipState = { path, manifest, chunks: new Uint8Array(manifest.chunks), ackedChunks: 0, manifestAcked: false, broken: null };
      e = { id: rec.id, kind: 'clip', body: null, signed: null, seq: null, inFlight: false, delivered: false, deliveredAt: 0, clip };
      const orphan = this.orphanManifests.get(rec.id);
      if (orphan !== undefined) {
        e.signed = orphan.loc;
        e.seq = orphan.seq;
        this.orphanManifests.delete(rec.id);
      }
      this.entries.set(rec.id, e);
      this.depth += 1 + manifest.chunks;
      this.clipBytes += manifest.bytes;
    }
    this.unref(e.body);
    e.body = loc;
    this.ref(loc);
    if (manifestAcked) this.applyAck(rec.id, -1);
    for (const n of ackedChunks) this.applyAck(rec.id, n);
  }

  private applySigned(rec: DecodedRecord, loc: Loc): void {
    this.nextId = Math.max(this.nextId, rec.id + 1);
    this.nextSeq = Math.max(this.nextSeq, rec.aux + 1);
    let e = this.entries.get(rec.id);
    if (e === undefined) {
      if (rec.kind === 'clip') {
        // The clip record was copied forward past this signed manifest by a segment rewrite: it comes later in the replay.
        this.ref(loc);
        this.orphanManifests.set(rec.id, { loc, seq: rec.aux });
        return;
      }
      e = { id: rec.id, kind: rec.kind, body: null, signed: null, seq: null, inFlight: false, delivered: false, deliveredAt: 0, clip: null };
      this.entries.set(rec.id, e);
      this.depth++;
    }
    this.unref(e.signed);
    e.signed = loc;
    e.seq = rec.aux;
    this.ref(loc);
    if (e.clip === null) {
      this.unref(e.body);
      e.body = null;
    }
  }

  private applyAck(id: number, chunk: number): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    const clip = e.clip;
    if (clip === null) {
      if (chunk === -1) this.remove(e);
      return;
    }
    if (chunk === -1) {
      if (clip.manifestAcked) return;
      clip.manifestAcked = true;
      e.inFlight = false;
    } else {
      if (chunk >= clip.chunks.length || clip.chunks[chunk] === CHUNK_ACKED) return;
      clip.chunks[chunk] = CHUNK_ACKED;
      clip.ackedChunks++;
    }
    this.depth--;
    if (clip.manifestAcked && clip.ackedChunks === clip.chunks.length) {
      this.remove(e);
      this.finishedClips.push(clip.path);
    }
  }

  private applyCompact(rec: DecodedRecord, loc: Loc): void {
    const { replaces } = decodeCompactData(rec.data);
    for (const id of replaces) {
      if (id === rec.id) continue;
      const e = this.entries.get(id);
      if (e !== undefined && e.signed === null) this.remove(e);
    }
    this.applyBody(rec, loc);
  }

  private remove(e: Entry): void {
    this.unref(e.body);
    this.unref(e.signed);
    this.entries.delete(e.id);
    if (e.clip !== null) {
      this.clipBytes -= e.clip.manifest.bytes;
    } else {
      this.depth--;
    }
  }

  private ref(loc: Loc): void {
    this.segLive.set(loc.seg, (this.segLive.get(loc.seg) ?? 0) + loc.len + FRAME_HEADER_BYTES);
  }

  private unref(loc: Loc | null): void {
    if (loc === null) return;
    const live = (this.segLive.get(loc.seg) ?? 0) - loc.len - FRAME_HEADER_BYTES;
    this.segLive.set(loc.seg, live);
    if (live <= 0) this.deadSegs.add(loc.seg);
  }
}
