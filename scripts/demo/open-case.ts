/**
 * The demo's case as an officer's record would have it (issue 10): opened
 * when the complaint came in, before the monitor was installed, with the
 * installation visit as the first contact with the resident (so the high-risk
 * response target is met, as it would be, however long after the demo starts).
 *
 * `earshot case open` opens a case now and takes no earlier time, so this
 * opens it through the store functions that command uses (cases/cases.ts,
 * with the same officer check), on a case clock set to the complaint's time.
 * The evidence log keeps its own clock: the case leaf's `recordedAt` is when
 * the demo wrote it, its `openedAt` the complaint's time — as `deploy start
 * --at` records an installation made earlier.
 */
import { requireAssignableOfficer } from '../../ingest/src/cases/assigned-officer.ts';
import { nextCaseRef, openCase, recordContact } from '../../ingest/src/cases/index.ts';
import { openIngest } from '../../ingest/src/service/open-ingest.ts';
import { readNow } from '../../ingest/src/storage/record/sqlite-record.ts';
import { accountsSteps } from '../../ingest/src/users/account-steps.ts';

export interface DemoCaseInput {
  dataDir: string;
  officer: string;
  address: string;
  /** When the complaint came in and the case was opened (epoch ms). */
  openedAtMs: number;
  /** The officer's visit that installed the monitor, the first contact: recorded once the monitor is in, so inside its bundles' period (epoch ms). */
  visitAtMs: number;
}

/** Opens the case and records the installation visit; returns the case reference. */
export function openDemoCase(input: DemoCaseInput): string {
  const ingest = openIngest(input.dataDir);
  try {
    requireAssignableOfficer(readNow(ingest.db, accountsSteps()), input.officer);
    const ref = nextCaseRef(ingest.db, 'ASB', new Date(input.openedAtMs).getUTCFullYear());
    openCase({ ...ingest.cases, now: () => input.openedAtMs }, { ref, category: 'high-risk', officer: input.officer, address: input.address });
    recordContact(ingest.cases, {
      caseRef: ref, at: new Date(input.visitAtMs).toISOString(), method: 'visit', by: input.officer,
      summary: 'Visited the resident: installed the noise monitor in the bedroom and showed them the diary page for their phone.',
    });
    return ref;
  } finally {
    ingest.close();
  }
}
