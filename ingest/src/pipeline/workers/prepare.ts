/**
 * The CPU-heavy first steps of a signed message, apart from the store (issue 19):
 * open the envelope (JSON parse), verify its Ed25519 signature, validate its
 * body against the shared schema, check it names its topic's device, and hash
 * its envelope bytes for the dedupe key. Pure and synchronous: a worker thread
 * runs it (prepare-worker.ts), the pipeline takes the result at commit time and
 * runs the rest (dedupe → store → attach → log → alert) on its own thread.
 *
 * The steps are the pipeline's own (steps/open.ts, verify.ts, validate.ts,
 * check-device.ts), run in the same order, so a message is refused for the same
 * reason wherever it was prepared.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { ErrorInfo, SignedKind } from '@earshot/shared';
import { newContext, type Step } from '../context.ts';
import { checkDeviceStep } from '../steps/check-device.ts';
import { openStep } from '../steps/open.ts';
import { validateStep } from '../steps/validate.ts';
import { verifyStep } from '../steps/verify.ts';

/** What a worker hands back for one message (structured-clone safe). */
export type Prepared =
  | {
    readonly status: 'ready';
    readonly seq: number;
    readonly sentAt: string;
    /** The byte index of the "\n" before the signature (DESIGN §4). */
    readonly signatureAt: number;
    /** The body as the shared schema parsed it. */
    readonly body: unknown;
    /** SHA-256 of the envelope bytes (the dedupe key's check, store/messages.ts). */
    readonly sha256: Uint8Array;
  }
  | { readonly status: 'refused'; readonly info: ErrorInfo }
  /** Not preparable apart (no key pinned yet: trust on first use is decided in the store's transaction). */
  | { readonly status: 'in-thread' };

export interface PrepareInput {
  readonly kind: SignedKind;
  readonly deviceId: string;
  readonly payload: Buffer;
  readonly receivedAt: number;
}

const IN_THREAD: Prepared = { status: 'in-thread' };

/** Builds the preparer for one thread: `maxPayloadBytes` as the pipeline's (pipeline.ts DEFAULT_MAX_PAYLOAD_BYTES). */
export function createPreparer(maxPayloadBytes: number) {
  const keys = new Map<string, KeyObject>();
  const verify = verifyStep((id) => keys.get(id) ?? null);
  const steps: readonly Step[] = [openStep(maxPayloadBytes), verify, validateStep, checkDeviceStep];
  return {
    /** Sets (or with null drops) the pinned key the thread verifies a device's messages with. */
    setKey(deviceId: string, key: KeyObject | null): void {
      if (key === null) keys.delete(deviceId);
      else keys.set(deviceId, key);
    },
    hasKey: (deviceId: string): boolean => keys.has(deviceId),
    prepare(input: PrepareInput): Prepared {
      if (!keys.has(input.deviceId)) return IN_THREAD;
      const ctx = newContext({ topic: '', payload: input.payload, clientId: input.deviceId, receivedAt: input.receivedAt }, { kind: input.kind, deviceId: input.deviceId });
      for (const step of steps) {
        const r = step(ctx);
        if (r !== null && r !== 'duplicate') return { status: 'refused', info: r };
      }
      return {
        status: 'ready',
        seq: ctx.seq,
        sentAt: ctx.sentAt,
        signatureAt: ctx.envelopeBytes.length,
        body: ctx.typed!.body,
        sha256: createHash('sha256').update(ctx.envelopeBytes).digest(),
      };
    },
  };
}

export type Preparer = ReturnType<typeof createPreparer>;
