/**
 * Which evidence-log leaves a bundle carries: everything in it and nothing else
 * (DESIGN §6: a bundle never contains another case's data). The case's own
 * records (opening and every status change), the deployments in the bundle with
 * their calibration checks, and this case's diary entries, events, incident
 * marks and clip manifests in the period.
 */
import type { Db } from '../db/open.ts';
import type { Period } from './period.ts';

export function caseLeafIndexes(db: Db, caseRef: string, deploymentIds: readonly number[], period: Period): number[] {
  const out = new Set<number>();
  const add = (rows: { i: number | null }[]): void => {
    for (const r of rows) if (r.i !== null && r.i >= 0) out.add(r.i);
  };
  const inPeriod = { ref: caseRef, from: period.from, to: period.to };
  add(db.prepare<[string], { i: number }>('SELECT leaf_index AS i FROM cases WHERE ref = ?').all(caseRef));
  add(db.prepare<[string], { i: number }>('SELECT leaf_index AS i FROM case_history WHERE case_ref = ?').all(caseRef));
  const deployment = db.prepare<{ id: number; ref: string }, { i: number | null }>(
    `SELECT install_leaf AS i FROM deployments WHERE id = :id AND case_ref = :ref
     UNION ALL SELECT removal_leaf FROM deployments WHERE id = :id AND case_ref = :ref
     UNION ALL SELECT c.leaf_index FROM calibration_checks c JOIN deployments d ON d.id = c.deployment_id WHERE d.id = :id AND d.case_ref = :ref`,
  );
  for (const id of deploymentIds) add(deployment.all({ id, ref: caseRef }));
  add(db.prepare<typeof inPeriod, { i: number }>('SELECT leaf_index AS i FROM diary_entries WHERE case_ref = :ref AND started_ms >= :from AND started_ms < :to').all(inPeriod));
  add(db.prepare<typeof inPeriod, { i: number | null }>('SELECT leaf_index AS i FROM events WHERE case_ref = :ref AND device_time >= :from AND device_time < :to').all(inPeriod));
  add(db.prepare<typeof inPeriod, { i: number | null }>('SELECT leaf_index AS i FROM clips WHERE case_ref = :ref AND device_time >= :from AND device_time < :to').all(inPeriod));
  return [...out].sort((a, b) => a - b);
}
