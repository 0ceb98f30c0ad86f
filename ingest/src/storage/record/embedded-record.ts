/**
 * The embedded store's record port (sqlite-record.ts) as the service wires it: the cases' evidence log for
 * their leaves, and the access log's port for `access` leaves (the officer's reads, a resident's link).
 */
import type { CasesContext } from '../../cases/evidence-port.ts';
import { type AccessEvidencePort, accessAppender } from '../../users/access-log.ts';
import { sqliteRecord } from './sqlite-record.ts';
import type { RecordStore } from './steps.ts';

export function embeddedRecord(cases: CasesContext, accessEvidence: AccessEvidencePort, now: () => number = cases.now): RecordStore {
  const access = accessAppender(accessEvidence);
  return sqliteRecord({ db: cases.db, now, evidence: { append: (leaf) => (leaf.kind === 'access' ? access.append(leaf) : cases.evidence.append(leaf)) } });
}
