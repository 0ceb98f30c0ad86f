/**
 * The pipeline's store interfaces (store/messages.ts, status.ts,
 * evidence-rows.ts, levels.ts, quarantine.ts add, the evidence log's append and
 * the attacher) answered from a batch's snapshot (snapshot.ts) and its own
 * staged rows (staged-writes.ts), and writing only to those rows: the same
 * steps as on SQLite (pipeline/steps/) run unchanged over them, and flush.ts
 * writes what they leave in a few statements. Behaviour matches the SQLite
 * stores row for row (ingest/test/storage/pg-pipeline.test.ts runs both).
 */
import { createHash } from 'node:crypto';
import { EarshotError, type ErrorInfo } from '@earshot/shared';
import { attachFromRows } from '../../../cases/attach-rows.ts';
import { encodeLeaf } from '../../../evidence/leaf.ts';
import type { Attacher, EvidenceLog } from '../../../pipeline/types.ts';
import { CHUNK_ROW_COST_BYTES, chunkSize, type ClipStore, MAX_CHUNK_BYTES, ORPHAN_CHUNK_BYTES_PER_DEVICE } from '../../../store/clips.ts';
import type { EvidenceRows } from '../../../store/evidence-rows.ts';
import type { LevelsWriter } from '../../../store/levels.ts';
import type { MessageLedger } from '../../../store/messages.ts';
import { QUARANTINE_BYTES_PER_DEVICE, ROW_COST_BYTES, type Quarantine } from '../../../store/quarantine.ts';
import { clockFlag, type StatusStore } from '../../../store/status.ts';
import type { BatchSnapshot, StoredManifest } from './snapshot.ts';
import { clipKey, ledgerKey } from './snapshot.ts';
import type { StagedWrites } from './staged-writes.ts';

export interface StagedStores {
  readonly ledger: MessageLedger;
  readonly status: StatusStore;
  readonly evidence: EvidenceRows;
  readonly levels: LevelsWriter;
  readonly quarantine: Pick<Quarantine, 'add'>;
  readonly log: EvidenceLog;
  readonly attacher: Attacher;
  readonly clips: Pick<ClipStore, 'putChunk' | 'isReady' | 'manifestStored'>;
}

const expectedSize = (m: StoredManifest, n: number): number => chunkSize(m, m.chunkBytes, n);

const EMPTY = Buffer.alloc(0);

export function stagedStores(snap: BatchSnapshot, w: StagedWrites, o: { quarantineBytesPerDevice?: number; orphanChunkBytesPerDevice?: number; now?: () => number } = {}): StagedStores {
  const quota = o.quarantineBytesPerDevice ?? QUARANTINE_BYTES_PER_DEVICE;
  const orphanQuota = o.orphanChunkBytesPerDevice ?? ORPHAN_CHUNK_BYTES_PER_DEVICE;
  const manifestOf = (device: string, clipId: string): StoredManifest | undefined => snap.manifests.get(clipKey(device, clipId)) ?? w.manifest(device, clipId);
  const hasChunk = (device: string, clipId: string, n: number): boolean => snap.chunks.get(clipKey(device, clipId))?.has(n) === true || w.chunkNumbers(device, clipId)?.has(n) === true;
  const chunkCount = (device: string, clipId: string): number => {
    const stored = snap.chunks.get(clipKey(device, clipId));
    let n = stored?.size ?? 0;
    for (const k of w.chunkNumbers(device, clipId) ?? []) if (stored?.has(k) !== true) n++;
    return n;
  };
  const now = o.now ?? Date.now;
  const eventRow = (table: 'events' | 'clips', device: string, seq: number) => {
    const r = table === 'events' ? w.event(device, seq) : w.clip(device, seq);
    if (r === undefined) throw new Error(`staged ${table} row ${device} seq ${seq} is missing`);
    return r;
  };
  return {
    ledger: {
      check(device, seq, sha) {
        const stored = w.ledgerSha(device, seq) ?? snap.ledger.get(ledgerKey(device, seq));
        if (stored === undefined) return 'new';
        return stored.equals(sha) ? 'duplicate' : 'conflict';
      },
      record(device, seq, type, sha256, receivedAt) {
        if (w.ledgerSha(device, seq) !== undefined || snap.ledger.has(ledgerKey(device, seq))) {
          // The primary key would refuse it at the flush, failing the whole batch: as SQLite's insert throws here.
          throw new EarshotError('EARSHOT_E_STORE_FAILED', `messages: ${device} seq ${seq} is already recorded`);
        }
        w.addMessage({ device, seq, type, sha256, receivedAt });
      },
    },
    status: {
      write(device, seq, sentAt, receivedAt, body) {
        const synced = body.clock.synced === null ? null : body.clock.synced ? 1 : 0;
        w.addStatus({ device, seq, sentAt, receivedAt, synced, offsetMs: body.clock.offsetMs, body: JSON.stringify(body) });
      },
      clock(device) {
        const staged = w.latestStatus(device);
        const stored = snap.latestStatus.get(device);
        const latest = staged !== undefined && (stored === undefined || staged.seq > stored.seq) ? staged : stored;
        if (latest === undefined) return { synced: null, offsetMs: null, flag: 'no-heartbeat' };
        return { synced: latest.synced, offsetMs: latest.offsetMs, flag: clockFlag(latest.synced, latest.offsetMs) };
      },
    },
    evidence: {
      insertEvent(meta, body) {
        const synced = meta.clock.synced === null ? null : meta.clock.synced ? 1 : 0;
        w.addEvent({
          device: meta.device, seq: meta.seq, deviceTime: meta.deviceTime, receivedAt: meta.receivedAt, synced, offsetMs: meta.clock.offsetMs, clockFlag: meta.clock.flag,
          eventId: body.eventId, kind: body.kind, body: JSON.stringify(body), envelope: meta.envelope, signature: meta.signature, caseRef: null, attachReason: null, leafIndex: null,
        });
      },
      insertClip(meta, m) {
        // store/evidence-rows.ts: ON CONFLICT (device, clip_id) DO NOTHING, a second manifest of a clip is a conflict.
        if (manifestOf(meta.device, m.clipId) !== undefined) return 'conflict';
        const synced = meta.clock.synced === null ? null : meta.clock.synced ? 1 : 0;
        w.addClip({
          device: meta.device, seq: meta.seq, deviceTime: meta.deviceTime, receivedAt: meta.receivedAt, synced, offsetMs: meta.clock.offsetMs, clockFlag: meta.clock.flag,
          clipId: m.clipId, eventId: m.eventId, sha256: m.sha256, bytes: m.bytes, chunks: m.chunks, chunkBytes: m.chunkBytes,
          body: JSON.stringify(m), envelope: meta.envelope, signature: meta.signature, caseRef: null, attachReason: null, leafIndex: null,
        });
        return 'stored';
      },
      setAttachment(table, device, seq, caseRef, reason) {
        const r = eventRow(table, device, seq);
        r.caseRef = caseRef;
        r.attachReason = reason;
      },
      setLeaf(table, device, seq, leafIndex) {
        eventRow(table, device, seq).leafIndex = leafIndex;
      },
    },
    levels: {
      write(device, seq, body) {
        w.levels.push({ device, seq, body });
        // What is new is known only at the flush (ON CONFLICT DO NOTHING); the pipeline does not read it.
        return body.records.length;
      },
    },
    quarantine: {
      add(e, opt = {}) {
        const keep = opt.keepRaw !== false;
        const key = e.device ?? '';
        const cost = ROW_COST_BYTES + (keep ? e.raw.length : 0);
        const held = (snap.quarantineCharge.get(key) ?? 0) + (w.charged.get(key) ?? 0);
        if (held + cost > quota) {
          w.overflow.push({ device: key, code: e.code, day: new Date(e.receivedAt).toISOString().slice(0, 10), bytes: e.raw.length, at: e.receivedAt });
          return { id: null };
        }
        const id = snap.quarantineIds[w.quarantineIdsUsed++];
        if (id === undefined) throw new Error('quarantine ids: fewer drawn than the batch holds messages');
        w.quarantine.push({
          id, receivedAt: e.receivedAt, clientId: e.clientId, device: e.device, topic: e.topic, code: e.code, detail: e.detail, raw: keep ? e.raw : EMPTY,
          rawBytes: e.raw.length, rawSha256: createHash('sha256').update(e.raw).digest('hex'), rawDropped: keep ? null : 'refused', rawDroppedAt: keep ? null : e.receivedAt,
        });
        w.charged.set(key, (w.charged.get(key) ?? 0) + cost);
        return { id };
      },
    },
    log: {
      append(leaf) {
        if (snap.logSize === null) throw new Error('evidence in a batch read without the log lock');
        const leafIndex = snap.logSize + w.leaves.length;
        w.leaves.push({ bytes: encodeLeaf(leaf), appendedAt: new Date(now()).toISOString() });
        return { leafIndex };
      },
    },
    clips: {
      // store/clips.ts putChunk, over the snapshot and the batch's own rows.
      putChunk(device, clipId, n, data, receivedAt): ErrorInfo | null {
        if (data.length === 0 || data.length > MAX_CHUNK_BYTES) return { code: 'EARSHOT_E_CLIP_CHUNK_INVALID', detail: `chunk ${n} of ${clipId} has ${data.length} bytes (1 to ${MAX_CHUNK_BYTES})` };
        const m = manifestOf(device, clipId);
        if (m !== undefined) {
          if (m.state === 'complete') return null;
          if (n >= m.chunks) return { code: 'EARSHOT_E_CLIP_CHUNK_INVALID', detail: `chunk ${n} of ${clipId}: the manifest has ${m.chunks} chunks` };
          const want = expectedSize(m, n);
          if (data.length !== want) return { code: 'EARSHOT_E_CLIP_CHUNK_INVALID', detail: `chunk ${n} of ${clipId} has ${data.length} bytes, the manifest says ${want}` };
          if (!hasChunk(device, clipId, n)) w.addChunk({ device, clipId, n, data, receivedAt }, 0);
          return null;
        }
        const held = (snap.orphanCharge.get(device) ?? 0) + (w.orphanAdded.get(device) ?? 0);
        const cost = data.length + CHUNK_ROW_COST_BYTES;
        if (held + cost > orphanQuota) return { code: 'EARSHOT_E_CLIP_ORPHAN_QUOTA', detail: `chunk ${n} of ${clipId}: ${device} already holds ${held} bytes of chunks without a manifest (limit ${orphanQuota})` };
        if (!hasChunk(device, clipId, n)) w.addChunk({ device, clipId, n, data, receivedAt }, cost);
        return null;
      },
      isReady(device, clipId) {
        const m = manifestOf(device, clipId);
        return m !== undefined && m.state === 'incomplete' && chunkCount(device, clipId) >= m.chunks;
      },
      manifestStored() {
        // The orphan charge is read afresh by every batch: nothing is cached here.
      },
    },
    attacher: {
      attach(req) {
        const a = attachFromRows(snap.deployments, req.deviceId, req.deviceTimeMs);
        return a.attached ? { caseRef: a.caseRef } : { caseRef: null, reason: a.reason };
      },
    },
  };
}
