/**
 * Opens the ingest's data folder (DESIGN §7): the database with every area's
 * schema, the server key, the evidence log, the device registry and the case
 * operations, wired to one another. Used by `earshot serve` and by every
 * command that reads or changes the record.
 */
import type { ServerKey } from '../evidence/index.ts';
import { type CasesContext, createAttacher, type Attach } from '../cases/index.ts';
import { type DataDir, prepareDataDir } from '../data-dir.ts';
import { type Db, openDatabase } from '../db/open.ts';
import { type DeviceRegistry, createDeviceRegistry } from '../devices/registry.ts';
import { EvidenceLog, type EvidenceLeaf, loadOrCreateServerKey } from '../evidence/index.ts';
import type { Attacher } from '../pipeline/types.ts';
import { ALL_MIGRATIONS } from './migrations.ts';

export interface Ingest {
  readonly dir: DataDir;
  readonly db: Db;
  readonly serverKey: ServerKey;
  readonly log: EvidenceLog;
  readonly registry: DeviceRegistry;
  readonly cases: CasesContext;
  readonly attach: Attach;
  /** The pipeline's view of attachment: the case, or null with the reason. */
  readonly attacher: Attacher;
  close(): void;
}

export function openIngest(root: string, now: () => number = Date.now): Ingest {
  const dir = prepareDataDir(root);
  const db = openDatabase(dir.database, ALL_MIGRATIONS);
  const serverKey = loadOrCreateServerKey(dir.keys);
  const log = new EvidenceLog(db, serverKey, { now: () => new Date(now()) });
  const attach = createAttacher(db);
  return {
    dir,
    db,
    serverKey,
    log,
    registry: createDeviceRegistry(db),
    cases: {
      db,
      now,
      evidence: {
        // Case records become leaves in the same transaction as their rows (cases/evidence-port.ts).
        append: (leaf) => log.append({ v: 1, kind: leaf.kind, recordedAt: new Date(now()).toISOString(), caseRef: leaf.caseRef, data: leaf.data } as EvidenceLeaf),
      },
    },
    attach,
    attacher: {
      attach(req) {
        const a = attach(req.deviceId, req.deviceTimeMs);
        return a.attached ? { caseRef: a.caseRef } : { caseRef: null, reason: a.reason };
      },
    },
    close: () => db.close(),
  };
}
