/**
 * Prepare workers (issue 19: both cores in the embedded topology). Signature
 * verification, JSON parsing and schema validation run on worker threads
 * (node:worker_threads); the SQLite commit and the evidence-log append stay on
 * the pipeline's thread. A device's messages always go to the same worker, and
 * a worker answers in the order it was given, so its key is cached in one place
 * and its results come back in order. What arrives in one turn of the event
 * loop goes to each worker as one batch: one postMessage, one transferred
 * buffer holding every payload, whatever the number of messages.
 *
 * A worker that exits (crashed, or was terminated) fails every message it held
 * with null: the broker does not acknowledge them and the device sends them
 * again (DESIGN §4: acknowledged means stored); a new worker takes its place.
 */
import { Worker } from 'node:worker_threads';
import type { SignedKind } from '@earshot/shared';
import type { Prepared } from './prepare.ts';
import type { BatchItem, BatchReply, BatchRequest, ReadyNote, WorkerConfig } from './protocol.ts';

const ENTRY = new URL('./prepare-worker.mjs', import.meta.url);

export type PreparedDone = (p: Prepared | null) => void;

interface Slot {
  worker: Worker;
  /** The worker has loaded (its first message). */
  ready: boolean;
  /** Devices whose key this worker holds. */
  readonly keyed: Set<string>;
  /** Callbacks of the batches sent and not yet answered, oldest first. */
  readonly inFlight: PreparedDone[][];
  /** The batch being gathered this turn. */
  items: BatchItem[];
  payloads: Buffer[];
  dones: PreparedDone[];
  bytes: number;
  forget: string[];
}

export interface PreparePool {
  readonly size: number;
  /**
   * Queues one signed message for its device's worker; `done` gets the result, or null if the worker died.
   * Returns false, queuing nothing, while that worker is still loading (at start, after a crash).
   */
  /** `keyPem`: the device's pinned key (key-form.ts workerKeyForm of its PEM), sent to its worker the first time. */
  prepare(kind: SignedKind, deviceId: string, payload: Buffer, receivedAt: number, keyPem: string, done: PreparedDone): boolean;
  /** The device's cached key is no longer valid (its pinning was rolled back). */
  forget(deviceId: string): void;
  /** Fault drills: ends worker `i` at once, as a crash would. */
  terminate(i: number): Promise<void>;
  /** Resolves once every worker has loaded. */
  loaded(): Promise<void>;
  close(): Promise<void>;
}

/** FNV-1a (32-bit): a stable worker per device id. */
function workerOf(id: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}

export function createPreparePool(size: number, config: WorkerConfig, onWorkerExit: (i: number, err: unknown) => void = () => undefined): PreparePool {
  let closing = false;
  let scheduled = false;
  const slots: Slot[] = [];

  const failAll = (slot: Slot): void => {
    const pending = [...slot.inFlight.splice(0), slot.dones.splice(0)];
    slot.items = [];
    slot.payloads = [];
    slot.bytes = 0;
    for (const dones of pending) for (const d of dones) d(null);
  };

  const spawn = (i: number): Worker => {
    const w = new Worker(ENTRY, { workerData: config });
    // The pipeline's thread decides when the service ends: an idle worker does not keep it alive.
    w.unref();
    w.on('message', (reply: BatchReply | ReadyNote) => {
      const slot = slots[i]!;
      if ('ready' in reply) {
        slot.ready = true;
        return;
      }
      const dones = slot.inFlight.shift();
      if (dones === undefined) return;
      for (let k = 0; k < dones.length; k++) dones[k]!(reply.results[k] ?? null);
    });
    w.on('error', (err) => onWorkerExit(i, err));
    w.on('exit', (code) => {
      const slot = slots[i];
      if (slot === undefined || slot.worker !== w) return;
      slot.keyed.clear();
      slot.ready = false;
      failAll(slot);
      if (closing) return;
      onWorkerExit(i, code);
      slot.worker = spawn(i);
    });
    return w;
  };
  for (let i = 0; i < size; i++) {
    slots.push({ worker: null as unknown as Worker, ready: false, keyed: new Set(), inFlight: [], items: [], payloads: [], dones: [], bytes: 0, forget: [] });
    slots[i]!.worker = spawn(i);
  }

  const send = (): void => {
    scheduled = false;
    for (const slot of slots) {
      if (slot.items.length === 0) continue;
      const buffer = new ArrayBuffer(slot.bytes);
      const view = new Uint8Array(buffer);
      let at = 0;
      for (const p of slot.payloads) {
        view.set(p, at);
        at += p.length;
      }
      const req: BatchRequest = slot.forget.length > 0 ? { items: slot.items, buffer, forget: slot.forget } : { items: slot.items, buffer };
      slot.inFlight.push(slot.dones);
      slot.worker.postMessage(req, [buffer]);
      slot.items = [];
      slot.payloads = [];
      slot.dones = [];
      slot.bytes = 0;
      slot.forget = [];
    }
  };

  return {
    size,
    prepare(kind, deviceId, payload, receivedAt, keyPem, done) {
      const slot = slots[workerOf(deviceId, size)]!;
      if (!slot.ready) return false;
      const item: BatchItem = slot.keyed.has(deviceId)
        ? { kind, device: deviceId, receivedAt, offset: slot.bytes, length: payload.length }
        : { kind, device: deviceId, receivedAt, offset: slot.bytes, length: payload.length, key: keyPem };
      slot.keyed.add(deviceId);
      slot.items.push(item);
      slot.payloads.push(payload);
      slot.dones.push(done);
      slot.bytes += payload.length;
      if (!scheduled) {
        scheduled = true;
        setImmediate(send);
      }
      return true;
    },
    forget(deviceId) {
      const slot = slots[workerOf(deviceId, size)]!;
      if (slot.keyed.delete(deviceId)) slot.forget.push(deviceId);
    },
    async loaded() {
      while (slots.some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 10));
    },
    async terminate(i) {
      await slots[i]!.worker.terminate();
    },
    async close() {
      closing = true;
      send();
      await Promise.all(slots.map(async (s) => {
        // What was sent is answered before the worker goes.
        while (s.inFlight.length > 0) await new Promise((r) => setTimeout(r, 5));
        await s.worker.terminate();
      }));
    },
  };
}
