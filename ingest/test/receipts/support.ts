/** A real ingest pipeline on a SQLite file with stored receipts hooked in, receipts collected as published. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReceipt, type ReceiptBody } from '@earshot/shared';
import type { BucketOptions } from '../../src/broker/rate-limit.ts';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { createDeviceRegistry, type DeviceRegistry } from '../../src/devices/registry.ts';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.ts';
import { createReceipts, type Receipts, receiptsMigrations, sqliteReceiptCoverage } from '../../src/receipts/index.ts';
import { migrations, quiet } from '../pipeline/support/ingest-fixture.ts';

export interface Published {
  topic: string;
  payload: Buffer;
}

export interface ReceiptFixture {
  dir: string;
  db: Db;
  registry: DeviceRegistry;
  pipeline: Pipeline;
  receipts: Receipts;
  published: Published[];
  serverPublic: KeyObject;
  serverPrivate: KeyObject;
  /** The receipts published so far for a device, opened and checked with the server key. */
  receiptsOf(device: string): ReceiptBody[];
  /** Opens the pipeline and receipts again on the same files (a restart). */
  restart(): void;
  close(): void;
}

export function makeReceiptFixture(opts: { quarantineBytesPerDevice?: number; rate?: BucketOptions } = {}): ReceiptFixture {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-receipts-'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const published: Published[] = [];
  const open = () => {
    const db = openDatabase(join(dir, 'earshot.db'), [...migrations, ...receiptsMigrations]);
    const registry = createDeviceRegistry(db);
    const receipts = createReceipts({
      coverage: sqliteReceiptCoverage(db), serverKey: privateKey, logger: quiet, publish: (topic, payload) => published.push({ topic, payload }), ...(opts.rate === undefined ? {} : { rate: opts.rate }),
    });
    const pipeline = createPipeline({
      db,
      dataDir: dir,
      pinnedKey: (id) => registry.publicKey(id),
      attacher: { attach: () => ({ caseRef: null, reason: 'no deployment' }) },
      log: { append: () => ({ leafIndex: 0 }) },
      alert: () => undefined,
      logger: quiet,
      onCommitted: receipts.committed,
      ...(opts.quarantineBytesPerDevice === undefined ? {} : { quotas: { quarantineBytesPerDevice: opts.quarantineBytesPerDevice } }),
    });
    return { db, registry, receipts, pipeline };
  };
  const f: ReceiptFixture = {
    dir, published, serverPublic: publicKey, serverPrivate: privateKey,
    ...open(),
    receiptsOf(device) {
      const out: ReceiptBody[] = [];
      for (const p of published) {
        if (p.topic !== `earshot/v1/${device}/receipt`) continue;
        const r = openReceipt(p.payload, publicKey, device);
        if (!r.ok) throw new Error(r.error.detail);
        out.push(r.receipt);
      }
      return out;
    },
    restart() {
      f.receipts.close();
      f.db.close();
      Object.assign(f, open());
    },
    close() {
      f.receipts.close();
      f.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return f;
}
