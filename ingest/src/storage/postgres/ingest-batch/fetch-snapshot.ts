/**
 * Reads a batch's snapshot (snapshot.ts) inside its transaction on `c`: one
 * statement per thing read, each for the whole batch. The evidence log's append
 * lock is taken first when the batch holds evidence, so the size read is the
 * one its leaves will follow (storage/postgres/evidence-log.ts).
 */
import type pg from 'pg';
import type { DeploymentRow } from '../../../cases/attach-rows.ts';
import { CHUNK_ROW_COST_BYTES } from '../../../store/clips.ts';
import { ROW_COST_BYTES } from '../../../store/quarantine.ts';
import { EARSHOT_LOCK_CLASS, LOCK } from '../advisory-locks.ts';
import { logSizeIn } from '../evidence-log.ts';
import { deploymentsOf } from '../deployments-of.ts';
import { type BatchSnapshot, clipKey, type LatestStatus, ledgerKey, type StoredManifest } from './snapshot.ts';

const Q = {
  ledger: {
    name: 'earshot-batch-ledger',
    text: `SELECT m.device, m.seq, m.envelope_sha256 FROM messages m
      JOIN unnest($1::text[], $2::bigint[]) AS k (device, seq) ON m.device = k.device AND m.seq = k.seq`,
  },
  latestStatus: {
    name: 'earshot-batch-latest-status',
    text: 'SELECT DISTINCT ON (device) device, seq, clock_synced, clock_offset_ms FROM status WHERE device = ANY($1::text[]) ORDER BY device, seq DESC',
  },
  // store/quarantine.ts `charged`: rows whose payload is held, or refused (row only).
  charge: {
    name: 'earshot-batch-quarantine-charge',
    text: `SELECT coalesce(device, '') AS device, (coalesce(sum(length(raw)), 0) + $2::bigint * count(*))::bigint AS b FROM quarantine
      WHERE (device = ANY($1::text[]) OR (device IS NULL AND $3::boolean)) AND (raw_dropped IS NULL OR raw_dropped = 'refused') GROUP BY device`,
  },
  ids: { name: 'earshot-batch-quarantine-ids', text: "SELECT nextval(pg_get_serial_sequence('quarantine', 'id')) AS id FROM generate_series(1, $1::int)" },
  lock: { name: 'earshot-log-lock', text: 'SELECT pg_advisory_xact_lock($1, $2)' },
  manifests: {
    name: 'earshot-batch-manifests',
    text: `SELECT m.device, m.clip_id, m.sha256, m.bytes, m.chunks, m.chunk_bytes, m.state FROM clips m
      JOIN unnest($1::text[], $2::text[]) AS k (device, clip_id) ON m.device = k.device AND m.clip_id = k.clip_id`,
  },
  chunks: {
    name: 'earshot-batch-chunks',
    text: `SELECT c.device, c.clip_id, c.n FROM clip_chunks c
      JOIN unnest($1::text[], $2::text[]) AS k (device, clip_id) ON c.device = k.device AND c.clip_id = k.clip_id`,
  },
  // store/clips.ts orphanCharge: chunks whose clip has no manifest.
  orphans: {
    name: 'earshot-batch-orphan-charge',
    text: `SELECT c.device, (coalesce(sum(length(c.data)), 0) + $2::bigint * count(*))::bigint AS b FROM clip_chunks c
      WHERE c.device = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM clips m WHERE m.device = c.device AND m.clip_id = c.clip_id) GROUP BY c.device`,
  },
} as const;

export interface SnapshotRequest {
  /** (device, seq) of every message that reached the store steps. */
  readonly keys: readonly { device: string; seq: number }[];
  /** Devices whose evidence (events) needs a clock and a deployment. */
  readonly evidenceDevices: readonly string[];
  /** Devices any row of the batch may be quarantined under; `anonymous` when some may be filed under none. */
  readonly devices: readonly string[];
  readonly anonymous: boolean;
  /** How many messages the batch holds (each may need a quarantine row). */
  readonly messages: number;
  /** The clips the batch's chunks and manifests name, and the devices sending chunks. */
  readonly clips: readonly { device: string; clipId: string }[];
  readonly chunkDevices: readonly string[];
}

export async function fetchSnapshot(c: pg.ClientBase, r: SnapshotRequest): Promise<BatchSnapshot> {
  let logSize: number | null = null;
  if (r.evidenceDevices.length > 0) {
    await c.query({ ...Q.lock, values: [EARSHOT_LOCK_CLASS, LOCK.evidenceAppend] });
    logSize = await logSizeIn(c);
  }
  const ledger = new Map<string, Buffer>();
  if (r.keys.length > 0) {
    const rows = await c.query<{ device: string; seq: number; envelope_sha256: Buffer }>({ ...Q.ledger, values: [r.keys.map((k) => k.device), r.keys.map((k) => k.seq)] });
    for (const row of rows.rows) ledger.set(ledgerKey(row.device, row.seq), row.envelope_sha256);
  }
  const latestStatus = new Map<string, LatestStatus>();
  let deployments: DeploymentRow[] = [];
  if (r.evidenceDevices.length > 0) {
    const s = await c.query<{ device: string; seq: number; clock_synced: number | null; clock_offset_ms: number | null }>({ ...Q.latestStatus, values: [r.evidenceDevices] });
    for (const row of s.rows) latestStatus.set(row.device, { seq: row.seq, synced: row.clock_synced === null ? null : row.clock_synced === 1, offsetMs: row.clock_offset_ms });
    deployments = await deploymentsOf(c, r.evidenceDevices);
  }
  const quarantineCharge = new Map<string, number>();
  const q = await c.query<{ device: string; b: number }>({ ...Q.charge, values: [r.devices, ROW_COST_BYTES, r.anonymous] });
  for (const row of q.rows) quarantineCharge.set(row.device, row.b);
  const ids = (await c.query<{ id: number }>({ ...Q.ids, values: [r.messages] })).rows.map((x) => x.id);
  const manifests = new Map<string, StoredManifest>();
  const chunks = new Map<string, Set<number>>();
  const orphanCharge = new Map<string, number>();
  if (r.clips.length > 0) {
    const keys = [r.clips.map((k) => k.device), r.clips.map((k) => k.clipId)];
    const m = await c.query<{ device: string; clip_id: string; sha256: string; bytes: number; chunks: number; chunk_bytes: number; state: StoredManifest['state'] }>({ ...Q.manifests, values: keys });
    for (const x of m.rows) manifests.set(clipKey(x.device, x.clip_id), { sha256: x.sha256, bytes: x.bytes, chunks: x.chunks, chunkBytes: x.chunk_bytes, state: x.state });
    const n = await c.query<{ device: string; clip_id: string; n: number }>({ ...Q.chunks, values: keys });
    for (const x of n.rows) {
      const key = clipKey(x.device, x.clip_id);
      let set = chunks.get(key);
      if (set === undefined) chunks.set(key, (set = new Set()));
      set.add(x.n);
    }
  }
  if (r.chunkDevices.length > 0) {
    const o = await c.query<{ device: string; b: number }>({ ...Q.orphans, values: [r.chunkDevices, CHUNK_ROW_COST_BYTES] });
    for (const x of o.rows) orphanCharge.set(x.device, x.b);
  }
  return { ledger, latestStatus, deployments, quarantineCharge, quarantineIds: ids, logSize, manifests, chunks, orphanCharge };
}
