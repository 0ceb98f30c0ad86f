/**
 * What a batch's steps read from PostgreSQL, fetched in a few round trips at
 * the start of its transaction (fetch-snapshot.ts) so that the pipeline's
 * steps — synchronous, as on SQLite — can run on it: the ledger entries of the
 * batch's (device, seq) pairs, each device's clock as of its latest heartbeat,
 * the deployments of the devices sending evidence, each device's quarantine
 * charge, ids for new quarantine rows, and the evidence log's size under the
 * append lock. Plain data.
 */
import type { DeploymentRow } from '../../../cases/attach-rows.ts';

export interface LatestStatus {
  readonly seq: number;
  readonly synced: boolean | null;
  readonly offsetMs: number | null;
}

/** A stored clip manifest, as putChunk and assembly read it (store/clips.ts ManifestRow). */
export interface StoredManifest {
  readonly sha256: string;
  readonly bytes: number;
  readonly chunks: number;
  readonly chunkBytes: number;
  readonly state: 'incomplete' | 'complete' | 'corrupt';
}

export interface BatchSnapshot {
  /** `device\0seq` → the stored envelope's SHA-256. */
  readonly ledger: ReadonlyMap<string, Buffer>;
  readonly latestStatus: ReadonlyMap<string, LatestStatus>;
  readonly deployments: readonly DeploymentRow[];
  /** device ('' for none) → bytes charged against its quarantine quota (store/quarantine.ts). */
  readonly quarantineCharge: ReadonlyMap<string, number>;
  /** Ids drawn from the quarantine table's identity sequence, used in order. */
  readonly quarantineIds: readonly number[];
  /** `device\0clipId` → the stored manifest, for every clip the batch's chunks and manifests name. */
  readonly manifests: ReadonlyMap<string, StoredManifest>;
  /** `device\0clipId` → the numbers of its chunks already stored. */
  readonly chunks: ReadonlyMap<string, ReadonlySet<number>>;
  /** device → bytes of chunks without a manifest, as charged against its orphan quota (store/clips.ts). */
  readonly orphanCharge: ReadonlyMap<string, number>;
  /** The evidence log's size once its append lock is held; null when the batch holds no evidence. */
  readonly logSize: number | null;
}

export const ledgerKey = (device: string, seq: number): string => `${device}\0${seq}`;
export const clipKey = (device: string, clipId: string): string => `${device}\0${clipId}`;
