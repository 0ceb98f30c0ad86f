/**
 * A prepare worker thread (issue 19): takes batches of signed messages from the
 * pipeline's thread, runs the preparer (prepare.ts) over each in the order
 * given, and answers each batch with one message, in order. Payloads arrive
 * in one transferred buffer per batch; the SHA-256s go back in another.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { keyFromWorkerForm } from './key-form.ts';
import { createPreparer } from './prepare.ts';
import type { BatchReply, BatchRequest, WorkerConfig } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('prepare-worker.ts runs as a worker thread');
const config = workerData as WorkerConfig;
const preparer = createPreparer(config.maxPayloadBytes);

port.on('message', (req: BatchRequest) => {
  if (req.forget !== undefined) for (const id of req.forget) preparer.setKey(id, null);
  const bytes = Buffer.from(req.buffer);
  const n = req.items.length;
  const hashes = new Uint8Array(new ArrayBuffer(32 * n));
  const results: BatchReply['results'] = new Array(n);
  for (let i = 0; i < n; i++) {
    const it = req.items[i]!;
    if (it.key !== undefined) preparer.setKey(it.device, keyFromWorkerForm(it.key));
    const p = preparer.prepare({ kind: it.kind, deviceId: it.device, payload: bytes.subarray(it.offset, it.offset + it.length), receivedAt: it.receivedAt });
    if (p.status === 'ready') {
      const h = hashes.subarray(32 * i, 32 * i + 32);
      h.set(p.sha256);
      results[i] = { ...p, sha256: h };
    } else {
      results[i] = p;
    }
  }
  const reply: BatchReply = { results };
  port.postMessage(reply, [hashes.buffer]);
});
// Loaded: the pipeline sends work from now on (until then, and after a crash, it runs every step itself).
port.postMessage({ ready: true });
