/**
 * Clip chunks and their reassembly (DESIGN §4: integrity from the signed
 * manifest's sha256). Chunks are kept in SQLite until their clip is complete,
 * so an acknowledged chunk is durable; they may arrive before the manifest.
 * A clip that stays incomplete or does not match its hash is kept and reported.
 * The chunks are dropped only in the transaction that marks the clip complete,
 * after its file is fsynced under its final name: a file that cannot be
 * written (the disk full) loses nothing, and the clip is assembled again
 * later (clip-retry.ts).
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { ErrorInfo } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { MAX_CLIP_BYTES } from '@earshot/shared';
import { writeClipFile } from './clip-file.ts';

/** Largest chunk the clip schema allows (ClipManifest.chunkBytes ≤ 1 MiB). */
export const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * Issue 11 item 5: chunks without a manifest a device may have stored at once.
 * Two of the largest clips the schema allows (MAX_CLIP_BYTES), so a monitor
 * that sends a whole clip before its manifest never meets it. A chunk past it
 * is refused (EARSHOT_E_CLIP_ORPHAN_QUOTA, not kept): its clip's manifest is
 * then not receipted (DESIGN §4), so the monitor keeps the clip and sends it again.
 */
export const ORPHAN_CHUNK_BYTES_PER_DEVICE = 2 * MAX_CLIP_BYTES;

/** What an orphan chunk costs beside its bytes (its row and key), so a flood of tiny chunks is charged too. */
export const CHUNK_ROW_COST_BYTES = 1024;

/** The cached orphan charge of a device is read again after this long (a manifest, or the purge, may have freed some). */
const ORPHAN_CHARGE_TTL_MS = 60_000;

export interface ClipReport {
  device: string;
  clipId: string;
  /** 'orphan': chunks but no manifest yet. */
  state: 'incomplete' | 'complete' | 'corrupt' | 'orphan';
  chunksExpected: number | null;
  chunksReceived: number;
  missing: number[];
  file: string | null;
  problem: string | null;
}

export interface ReadyClip {
  device: string;
  clipId: string;
  bytes: number;
}

interface ManifestRow {
  sha256: string;
  bytes: number;
  chunks: number;
  chunk_bytes: number;
  state: 'incomplete' | 'complete' | 'corrupt';
  file: string | null;
  problem: string | null;
}

export interface ClipStore {
  /** Stores one chunk; an error when it cannot belong to the clip's manifest. */
  putChunk(device: string, clipId: string, n: number, data: Buffer, receivedAt: number): ErrorInfo | null;
  /** True when the manifest and every chunk are there and the clip is not yet assembled. */
  isReady(device: string, clipId: string): boolean;
  /**
   * Reassembles a ready clip into clips/<sha256>.wav (outside any transaction: it
   * does file I/O). A file or record that cannot be written leaves the clip
   * incomplete with its chunks, the reason in `problem`; it never throws for that.
   */
  assemble(device: string, clipId: string, now: number): ClipReport;
  /** Clips with the manifest and every chunk stored but no file yet (a write failed, or the service stopped before it). */
  ready(): ReadyClip[];
  report(device: string, clipId: string): ClipReport;
  /** Every clip not complete: incomplete, corrupt, or chunks without a manifest. */
  unfinished(): ClipReport[];
  /** A manifest of the device was stored: its chunks are no longer orphans (the orphan charge is read again). */
  manifestStored(device: string): void;
  /** Bytes of chunks without a manifest the device holds, as charged against its quota. */
  orphanBytes(device: string): number;
}

/** The size the signed manifest gives chunk `n`: every chunk is `chunkBytes` long but the last, which holds the rest. */
export function chunkSize(m: { readonly bytes: number; readonly chunks: number }, chunkBytes: number, n: number): number {
  return n === m.chunks - 1 ? m.bytes - (m.chunks - 1) * chunkBytes : chunkBytes;
}

function expectedSize(m: ManifestRow, n: number): number {
  return chunkSize(m, m.chunk_bytes, n);
}

export function createClipStore(db: Db, clipsDir: string, options: { orphanBytesPerDevice?: number; now?: () => number } = {}): ClipStore {
  const orphanQuota = options.orphanBytesPerDevice ?? ORPHAN_CHUNK_BYTES_PER_DEVICE;
  const clock = options.now ?? Date.now;
  const orphanCharge = db.prepare<[number, string], { b: number }>(
    'SELECT coalesce(sum(length(data)), 0) + ? * count(*) AS b FROM clip_chunks c WHERE c.device = ? AND NOT EXISTS (SELECT 1 FROM clips m WHERE m.device = c.device AND m.clip_id = c.clip_id)',
  );
  /** device → its orphan charge and when it was read (a query per chunk would grow with the orphans). */
  const orphanCache = new Map<string, { bytes: number; at: number }>();
  const orphans = (device: string): { bytes: number; at: number } => {
    const t = clock();
    let c = orphanCache.get(device);
    if (c === undefined || t - c.at > ORPHAN_CHARGE_TTL_MS) {
      c = { bytes: orphanCharge.get(CHUNK_ROW_COST_BYTES, device)!.b, at: t };
      orphanCache.set(device, c);
    }
    return c;
  };
  const manifest = db.prepare<[string, string], ManifestRow>('SELECT sha256, bytes, chunks, chunk_bytes, state, file, problem FROM clips WHERE device = ? AND clip_id = ?');
  const insertChunk = db.prepare<[string, string, number, Buffer, number]>('INSERT INTO clip_chunks (device, clip_id, n, data, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const chunkNumbers = db.prepare<[string, string], { n: number }>('SELECT n FROM clip_chunks WHERE device = ? AND clip_id = ? ORDER BY n');
  const countChunks = db.prepare<[string, string], { c: number }>('SELECT count(*) AS c FROM clip_chunks WHERE device = ? AND clip_id = ?');
  const chunkData = db.prepare<[string, string], { n: number; data: Buffer }>('SELECT n, data FROM clip_chunks WHERE device = ? AND clip_id = ? ORDER BY n');
  const markComplete = db.prepare<[string, number, string, string]>("UPDATE clips SET state = 'complete', file = ?, completed_at = ?, problem = NULL WHERE device = ? AND clip_id = ?");
  const markCorrupt = db.prepare<[string, string, string]>("UPDATE clips SET state = 'corrupt', problem = ? WHERE device = ? AND clip_id = ?");
  const dropChunks = db.prepare<[string, string]>('DELETE FROM clip_chunks WHERE device = ? AND clip_id = ?');
  const unfinishedClips = db.prepare<[], { device: string; clip_id: string }>(
    `SELECT device, clip_id FROM clips WHERE state != 'complete'
     UNION SELECT DISTINCT device, clip_id FROM clip_chunks c WHERE NOT EXISTS (SELECT 1 FROM clips m WHERE m.device = c.device AND m.clip_id = c.clip_id)
     ORDER BY device, clip_id`,
  );

  const readyClips = db.prepare<[], { device: string; clip_id: string; bytes: number }>(
    `SELECT device, clip_id, bytes FROM clips m WHERE state = 'incomplete'
       AND chunks <= (SELECT count(*) FROM clip_chunks c WHERE c.device = m.device AND c.clip_id = m.clip_id)
     ORDER BY device, clip_id`,
  );

  function report(device: string, clipId: string): ClipReport {
    const m = manifest.get(device, clipId);
    const have = chunkNumbers.all(device, clipId).map((r) => r.n);
    if (m === undefined) return { device, clipId, state: 'orphan', chunksExpected: null, chunksReceived: have.length, missing: [], file: null, problem: 'no manifest received' };
    if (m.state === 'complete') return { device, clipId, state: 'complete', chunksExpected: m.chunks, chunksReceived: m.chunks, missing: [], file: m.file === null ? null : join(clipsDir, m.file), problem: null };
    const got = new Set(have);
    const missing: number[] = [];
    for (let n = 0; n < m.chunks; n++) if (!got.has(n)) missing.push(n);
    return { device, clipId, state: m.state, chunksExpected: m.chunks, chunksReceived: have.length, missing, file: null, problem: m.problem ?? (missing.length > 0 ? `${missing.length} of ${m.chunks} chunks missing` : null) };
  }

  const settle = db.transaction((device: string, clipId: string, outcome: { file: string; now: number } | { problem: string }) => {
    if ('file' in outcome) {
      // Stored relative to the clips folder, so the data folder can be restored anywhere (DESIGN §7).
      markComplete.run(basename(outcome.file), outcome.now, device, clipId);
      dropChunks.run(device, clipId);
    } else {
      markCorrupt.run(outcome.problem, device, clipId);
    }
  });

  return {
    putChunk(device, clipId, n, data, receivedAt) {
      if (data.length === 0 || data.length > MAX_CHUNK_BYTES) return { code: 'EARSHOT_E_CLIP_CHUNK_INVALID', detail: `chunk ${n} of ${clipId} has ${data.length} bytes (1 to ${MAX_CHUNK_BYTES})` };
      const m = manifest.get(device, clipId);
      if (m !== undefined) {
        if (m.state === 'complete') return null; // redelivered after assembly: already in the file
        if (n >= m.chunks) return { code: 'EARSHOT_E_CLIP_CHUNK_INVALID', detail: `chunk ${n} of ${clipId}: the manifest has ${m.chunks} chunks` };
        const want = expectedSize(m, n);
        if (data.length !== want) return { code: 'EARSHOT_E_CLIP_CHUNK_INVALID', detail: `chunk ${n} of ${clipId} has ${data.length} bytes, the manifest says ${want}` };
        insertChunk.run(device, clipId, n, data, receivedAt);
        return null;
      }
      const held = orphans(device);
      const cost = data.length + CHUNK_ROW_COST_BYTES;
      if (held.bytes + cost > orphanQuota) return { code: 'EARSHOT_E_CLIP_ORPHAN_QUOTA', detail: `chunk ${n} of ${clipId}: ${device} already holds ${held.bytes} bytes of chunks without a manifest (limit ${orphanQuota})` };
      if (insertChunk.run(device, clipId, n, data, receivedAt).changes > 0) held.bytes += cost;
      return null;
    },
    isReady(device, clipId) {
      const m = manifest.get(device, clipId);
      return m !== undefined && m.state === 'incomplete' && countChunks.get(device, clipId)!.c >= m.chunks;
    },
    assemble(device, clipId, now) {
      const m = manifest.get(device, clipId);
      if (m === undefined || m.state === 'complete') return report(device, clipId);
      const parts: Buffer[] = [];
      const hash = createHash('sha256');
      let size = 0;
      let problem: string | null = null;
      for (const c of chunkData.iterate(device, clipId)) {
        if (c.n !== parts.length || c.n >= m.chunks) { problem = `chunk ${c.n} out of place`; break; }
        if (c.data.length !== expectedSize(m, c.n)) { problem = `chunk ${c.n} has ${c.data.length} bytes, the manifest says ${expectedSize(m, c.n)}`; break; }
        hash.update(c.data);
        size += c.data.length;
        parts.push(c.data);
      }
      if (problem === null && parts.length !== m.chunks) return report(device, clipId);
      if (problem === null && size !== m.bytes) problem = `${size} bytes, the manifest says ${m.bytes}`;
      if (problem === null) {
        const sha = hash.digest('hex');
        if (sha !== m.sha256) problem = `EARSHOT_E_CLIP_HASH_MISMATCH: sha256 ${sha}, the signed manifest says ${m.sha256}`;
      }
      let written: string | null = null;
      try {
        if (problem !== null) settle.immediate(device, clipId, { problem });
        else {
          written = writeClipFile(clipsDir, m.sha256, parts);
          settle.immediate(device, clipId, { file: written, now });
        }
      } catch (e) {
        // The disk full (ENOSPC, SQLITE_FULL) or another I/O error: nothing changed in the record, the chunks stay.
        const why = (e as Error).message;
        return { ...report(device, clipId), problem: `${problem === null && written === null ? 'file not written' : 'record not updated'}: ${why}` };
      }
      return report(device, clipId);
    },
    report,
    ready() {
      return readyClips.all().map((r) => ({ device: r.device, clipId: r.clip_id, bytes: r.bytes }));
    },
    unfinished() {
      return unfinishedClips.all().map((r) => report(r.device, r.clip_id));
    },
    manifestStored(device) {
      orphanCache.delete(device);
    },
    orphanBytes: (device) => orphans(device).bytes,
  };
}
