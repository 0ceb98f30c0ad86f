/** The messages between the pipeline's thread and a prepare worker (pool.ts ↔ prepare-worker.ts). */
import type { SignedKind } from '@earshot/shared';
import type { Prepared } from './prepare.ts';

export interface WorkerConfig {
  readonly maxPayloadBytes: number;
}

export interface BatchItem {
  readonly kind: SignedKind;
  readonly device: string;
  readonly receivedAt: number;
  /** Where the payload is in the batch's buffer. */
  readonly offset: number;
  readonly length: number;
  /** The device's pinned key (key-form.ts: the raw Ed25519 key base64url, or the PEM), sent the first time the worker needs it. */
  readonly key?: string;
}

export interface BatchRequest {
  readonly items: readonly BatchItem[];
  /** Every payload of the batch, end to end (transferred, not copied). */
  readonly buffer: ArrayBuffer;
  /** Devices whose key the worker must drop first. */
  readonly forget?: readonly string[];
}

/** The worker's first message, once it has loaded. */
export interface ReadyNote {
  readonly ready: true;
}

export interface BatchReply {
  /** One per item, in the same order. */
  readonly results: Prepared[];
}
