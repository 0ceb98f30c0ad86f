/**
 * Court bundle export from a PostgreSQL store (DESIGN §6, §8): the same ZIP as
 * from the embedded store (exporter.ts), read from the case's snapshot
 * (storage/postgres/case-snapshot.ts) with the same code.
 *
 * Steps: copy the case into a private snapshot (one REPEATABLE READ
 * transaction) → seal its hours' level blocks in the snapshot (a cache of the
 * rows, so it changes no figure) → sign a tree head after the snapshot's
 * transaction ended, so it covers every leaf the snapshot cites → build the
 * model, the leaves and proofs read through the log port → write the ZIP →
 * remove the snapshot. The server key is the data folder's, as for
 * `earshot log head` on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { WrittenBundle } from '../bundle/index.ts';
import type { ServerKey } from '../evidence/server-key.ts';
import { signHeadOf } from '../storage/log-on-postgres.ts';
import { type CaseSnapshot, takeCaseSnapshot } from '../storage/postgres/case-snapshot.ts';
import { postgresEvidenceLog } from '../storage/postgres/evidence-log.ts';
import { portEvidence } from './evidence.ts';
import { type ExportRequest, type ExporterOptions, writeCaseBundle } from './exporter.ts';
import { sealCaseHours } from './seal-case-hours.ts';

export interface PostgresExportStore {
  readonly pool: pg.Pool;
  /** The key that signs this log's tree heads (keys/server-key.pem of the data folder). */
  readonly key: ServerKey;
}

export async function exportCaseBundleOnPostgres(store: PostgresExportStore, caseRef: string, request: ExportRequest, options: ExporterOptions): Promise<WrittenBundle> {
  const nowMs = (options.now ?? Date.now)();
  request.onProgress?.(0, 'reading the record');
  const dir = mkdtempSync(join(tmpdir(), 'earshot-snapshot-'));
  let snapshot: CaseSnapshot | undefined;
  try {
    snapshot = await takeCaseSnapshot(store.pool, caseRef, request, nowMs, dir);
    await sealCaseHours(snapshot.db, snapshot.spans, nowMs);
    const log = postgresEvidenceLog(store.pool);
    const { signed, stored } = await signHeadOf(log, store.key, new Date(nowMs));
    const evidenceOf = portEvidence(log, { ...signed, id: stored.id }, store.key.publicKeyPem);
    return await writeCaseBundle({ db: snapshot.db, clipsDir: snapshot.clipsDir, evidenceOf }, caseRef, snapshot.period, request, options, nowMs);
  } finally {
    snapshot?.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

