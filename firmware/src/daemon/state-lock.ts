/**
 * One monitor process per state folder (issue 17): two on one folder would
 * sign with one key and one `seq`, and the ingest would quarantine one's
 * messages as sequence conflicts. `earshot-device run` and the demo's night
 * fill take this lock before they open the outbox.
 */
import { join } from 'node:path';
import { type ProcessLock, acquireProcessLock } from '@earshot/shared';

/** The lock file in the state folder while a monitor process runs. */
export const STATE_LOCK_FILE = 'run.lock';

export function lockStateFolder(stateDir: string, command?: string): ProcessLock {
  return acquireProcessLock(join(stateDir, STATE_LOCK_FILE), { what: `the monitor's state folder ${stateDir}`, ...(command === undefined ? {} : { command }) });
}
