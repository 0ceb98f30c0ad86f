/**
 * Events, incident marks and clip manifests: the evidence rows. Each keeps its
 * exact signed bytes, device time beside server receipt time, the device clock
 * at the time (issue 4), and, once attached and logged, its case and leaf index.
 */
import type { ClipManifest, EventBody } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import type { ClockInfo } from './status.ts';

export interface EvidenceMeta {
  device: string;
  seq: number;
  deviceTime: number;
  receivedAt: number;
  clock: ClockInfo;
  envelope: Buffer;
  signature: Buffer;
}

export type EvidenceTable = 'events' | 'clips';

export interface EvidenceRows {
  insertEvent(meta: EvidenceMeta, body: EventBody): void;
  /** 'stored', or 'conflict' when another manifest for the same clip id is already stored. */
  insertClip(meta: EvidenceMeta, body: ClipManifest): 'stored' | 'conflict';
  setAttachment(table: EvidenceTable, device: string, seq: number, caseRef: string | null, reason: string | null): void;
  setLeaf(table: EvidenceTable, device: string, seq: number, leafIndex: number): void;
}

type Bind = [string, number, number, number, number | null, number | null, string | null];

function clockColumns(meta: EvidenceMeta): Bind {
  const synced = meta.clock.synced === null ? null : meta.clock.synced ? 1 : 0;
  return [meta.device, meta.seq, meta.deviceTime, meta.receivedAt, synced, meta.clock.offsetMs, meta.clock.flag];
}

export function createEvidenceRows(db: Db): EvidenceRows {
  const event = db.prepare<[...Bind, string, string, string, Buffer, Buffer]>(
    `INSERT INTO events (device, seq, device_time, received_at, clock_synced, clock_offset_ms, clock_flag, event_id, kind, body, envelope, signature)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const clip = db.prepare<[...Bind, string, string, string, number, number, number, string, Buffer, Buffer]>(
    `INSERT INTO clips (device, seq, device_time, received_at, clock_synced, clock_offset_ms, clock_flag, clip_id, event_id, sha256, bytes, chunks, chunk_bytes, body, envelope, signature, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'incomplete') ON CONFLICT (device, clip_id) DO NOTHING`,
  );
  const attach = {
    events: db.prepare<[string | null, string | null, string, number]>('UPDATE events SET case_ref = ?, attach_reason = ? WHERE device = ? AND seq = ?'),
    clips: db.prepare<[string | null, string | null, string, number]>('UPDATE clips SET case_ref = ?, attach_reason = ? WHERE device = ? AND seq = ?'),
  };
  const leaf = {
    events: db.prepare<[number, string, number]>('UPDATE events SET leaf_index = ? WHERE device = ? AND seq = ?'),
    clips: db.prepare<[number, string, number]>('UPDATE clips SET leaf_index = ? WHERE device = ? AND seq = ?'),
  };
  return {
    insertEvent(meta, body) {
      event.run(...clockColumns(meta), body.eventId, body.kind, JSON.stringify(body), meta.envelope, meta.signature);
    },
    insertClip(meta, m) {
      const r = clip.run(...clockColumns(meta), m.clipId, m.eventId, m.sha256, m.bytes, m.chunks, m.chunkBytes, JSON.stringify(m), meta.envelope, meta.signature);
      return r.changes === 1 ? 'stored' : 'conflict';
    },
    setAttachment(table, device, seq, caseRef, reason) {
      attach[table].run(caseRef, reason, device, seq);
    },
    setLeaf(table, device, seq, leafIndex) {
      leaf[table].run(leafIndex, device, seq);
    },
  };
}
