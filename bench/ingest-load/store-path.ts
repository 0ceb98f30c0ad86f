/**
 * The ingest's own thread, without the network: what committing one message
 * costs after a prepare worker has done its part (dedupe → store → rollups →
 * ledger → commit, then the stored receipts), with the load bench's traffic
 * (ten-record levels batches every 10 s from each of N devices, interleaved as
 * they arrive, a heartbeat every 60 s), group-committed `perBatch` at a time.
 * The workers' share (verify, JSON, schema) is done before the clock starts;
 * the receipts go out on the turns after the commits, at their rate
 * (receipts.ts RECEIPT_RATE), as in the service.
 * Run: npx tsx bench/ingest-load/store-path.ts [N devices] [rounds of 10 s] [messages per transaction]
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signEnvelope, topics } from '@earshot/shared';
import { pino } from 'pino';
import { createPipeline } from '../../ingest/src/pipeline/pipeline.ts';
import type { Incoming } from '../../ingest/src/pipeline/types.ts';
import { createReceipts, sqliteReceiptCoverage } from '../../ingest/src/receipts/index.ts';
import { openIngest } from '../../ingest/src/service/open-ingest.ts';
import { levelsBody, statusBody } from '../../ingest/test/pipeline/support/ingest-fixture.ts';

const n = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 6);
const perBatch = Number(process.argv[4] ?? 16);

const work = mkdtempSync(join(tmpdir(), 'earshot-store-path-'));
try {
  const ingest = openIngest(join(work, 'data'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const ids = Array.from({ length: n }, (_, i) => `load-${String(i).padStart(5, '0')}`);
  ingest.db.transaction(() => {
    for (const id of ids) ingest.registry.add(id, { publicKeyPem: pem });
  })();
  const logger = pino({ level: 'silent' });
  let published = 0;
  const receipts = createReceipts({ coverage: sqliteReceiptCoverage(ingest.db), serverKey: ingest.serverKey.privateKey, logger, publish: () => published++ });
  const pipeline = createPipeline({
    db: ingest.db, dataDir: ingest.dir.root, logger, onCommitted: receipts.committed,
    pinnedKey: (id) => ingest.registry.publicKey(id), pinnedKeyPem: () => pem,
    attacher: ingest.attacher, log: ingest.log, alert: () => undefined, workers: 1,
  });
  await pipeline.workers!.loaded();
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - rounds * 10_000;
  const seqs = new Array<number>(n).fill(0);
  /** One round: every device's levels batch (and, each sixth round, its heartbeat), prepared by the worker. */
  const round = async (r: number): Promise<Incoming[]> => {
    const out: Incoming[] = [];
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const at = t0 + r * 10_000;
      const msgs: [string, Buffer, 'levels' | 'status'][] = [[topics.levels(id), signEnvelope({ v: 1, device: id, seq: seqs[i]!++, sentAt: new Date(at).toISOString(), type: 'levels', body: levelsBody(at - 10_000, 10) }, privateKey), 'levels']];
      if (r % 6 === i % 6) msgs.push([topics.status(id), signEnvelope({ v: 1, device: id, seq: seqs[i]!++, sentAt: new Date(at).toISOString(), type: 'status', body: statusBody({ synced: true, offsetMs: 2 }) }, privateKey), 'status']);
      for (const [topic, payload] of msgs) out.push({ topic, payload, clientId: id, receivedAt: at });
    }
    await Promise.all(out.map((m) => new Promise<void>((resolve, reject) => {
      if (!pipeline.prepare(m, (ok) => (ok ? resolve() : reject(new Error('worker died'))))) reject(new Error('not prepared'));
    })));
    return out;
  };
  // The first round, untimed: each device's first receipt reads its mark from the ledger once.
  pipeline.processBatch(await round(0));
  receipts.flush();
  let messages = 0;
  let cpu = 0;
  const published0 = published;
  for (let r = 1; r <= rounds; r++) {
    const msgs = await round(r);
    const c0 = process.cpuUsage();
    for (let i = 0; i < msgs.length; i += perBatch) {
      const out = pipeline.processBatch(msgs.slice(i, i + perBatch));
      if (out.some((o) => o.status !== 'stored')) throw new Error(`not stored: ${JSON.stringify(out.find((o) => o.status !== 'stored'))}`);
      // The turn of the event loop after the commit, where the receipts go.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const c = process.cpuUsage(c0);
    cpu += c.user + c.system;
    messages += msgs.length;
  }
  console.log(`store path: ${n} devices, ${rounds} rounds, ${perBatch} per transaction: ${messages} messages, `
    + `${(cpu / messages).toFixed(1)} µs CPU per message on the ingest's thread, ${published - published0} receipts signed meanwhile`);
  receipts.close();
  await pipeline.close();
  ingest.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
