/**
 * Demonstration data (issue 17): `npm start` fills in a night of synthesised
 * sound through the whole chain, so the demo shows night features whatever the
 * time. Such data must never pass as evidence, and real evidence must never be
 * marked as a demonstration. The mark lives inside the evidence log — the
 * deployment's own leaf says `"demonstration": true` — so a bundle carries it
 * in a proved leaf and it cannot be stripped without breaking the proof.
 *
 * Rules, checked at `deploy start` (the one path that sets the mark: the CLI's
 * `--demonstration`, which only the demo script passes; the web view cannot):
 * a device is a demonstration monitor for its whole life, decided at its first
 * deployment — once deployed for real it can never be deployed as a
 * demonstration, and once deployed as a demonstration never for real; and a
 * case holds demonstration deployments only or real ones only.
 */
import { EarshotError } from '@earshot/shared';
import type { Database } from 'better-sqlite3';
import { decodeLeaf } from '../evidence/leaf.ts';
import { readNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, get, hasTable } from '../storage/record/steps.ts';

/**
 * Whether the deployment whose install leaf is `leafIndex` was made as a demonstration. The log's leaves
 * share the cases' database (evidence-port.ts); a cases database given another appender (the cases' unit
 * tests) has no leaves to read, and so no demonstration deployments.
 */
function* leafIsDemonstration(leafIndex: number | null): Steps<boolean> {
  if (leafIndex === null || leafIndex < 0 || !(yield* hasTable('evidence_leaves'))) return false;
  const row = yield* get<{ leaf: Buffer }>('SELECT leaf FROM evidence_leaves WHERE leaf_index = ?', leafIndex);
  if (row === undefined) return false;
  const decoded = decodeLeaf(row.leaf);
  return decoded.ok && decoded.leaf.kind === 'deployment' && decoded.leaf.data['demonstration'] === true;
}

interface DeploymentLeafRow {
  id: number;
  case_ref: string;
  device_id: string;
  install_leaf: number | null;
}

/** Refuses a deployment that would mix demonstration and real data (the rules above). */
export function* checkDemonstration(deviceId: string, caseRef: string, demonstration: boolean): Steps<void> {
  const rows = yield* all<DeploymentLeafRow>('SELECT id, case_ref, device_id, install_leaf FROM deployments WHERE device_id = ? OR case_ref = ? ORDER BY id', deviceId, caseRef);
  for (const r of rows) {
    if ((yield* leafIsDemonstration(r.install_leaf)) === demonstration) continue;
    const whose = r.device_id === deviceId ? `monitor ${deviceId}` : `case ${caseRef}`;
    throw new EarshotError(
      'EARSHOT_E_DEMONSTRATION_MIXED',
      demonstration
        ? `${whose} already has a real deployment (${r.id}): demonstration data is never mixed with evidence`
        : `${whose} holds demonstration data (deployment ${r.id}): it can only be deployed with --demonstration`,
    );
  }
}

/**
 * Whether the case holds demonstration data (a case holds one kind only): its bundle is then marked on every
 * page and every CSV row, whatever the period, as its diary and contacts are part of the demonstration too.
 */
export function* caseIsDemonstrationSteps(caseRef: string): Steps<boolean> {
  for (const r of yield* all<{ install_leaf: number | null }>('SELECT install_leaf FROM deployments WHERE case_ref = ?', caseRef)) {
    if (yield* leafIsDemonstration(r.install_leaf)) return true;
  }
  return false;
}

export function caseIsDemonstration(db: Database, caseRef: string): boolean {
  return readNow(db, caseIsDemonstrationSteps(caseRef));
}
