/**
 * The export's own sealing (store/level-blocks/seal-blocks.ts): before it
 * takes its snapshot, the case's hours that are over but have no level block
 * — the service had not reached them yet, or a late record dropped one, or the
 * data folder was never served — are sealed on the ingest's own connection, a
 * block per transaction, giving the event loop back every 20 ms. What is left
 * unsealed (the hour in progress, or all of them when the database cannot be
 * written just now) the snapshot's reader builds from the rows and uses
 * without storing: the bundle is the same either way, only slower.
 */
import type { Db } from '../db/open.ts';
import { createBlockSealer, sealRange } from '../store/level-blocks/index.ts';
import { type DeploymentSpan, measuredSpans } from './spans.ts';

const SLICE_MS = 20;

export interface CaseSealing {
  readonly hours: number;
  readonly records: number;
  /** Why sealing stopped early (the export reads the rows instead), null when it did not. */
  readonly failed: string | null;
}

export async function sealCaseHours(db: Db, spans: readonly DeploymentSpan[], nowMs: number): Promise<CaseSealing> {
  const report = { hours: 0, records: 0 };
  try {
    const sealer = createBlockSealer(db);
    for (const s of measuredSpans(spans)) await sealRange(sealer, s.deviceId, s.from, s.to, { nowMs, sliceMs: SLICE_MS }, report);
  } catch (e) {
    // A cache not filled (SQLITE_BUSY from another writer, a read-only folder) changes no figure of the bundle.
    return { ...report, failed: (e as Error).message };
  }
  return { ...report, failed: null };
}
