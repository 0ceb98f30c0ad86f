/**
 * A case is assigned to a user account, by its username (issue 12: "the
 * assigned officer chosen from user accounts, never typed"): an enabled officer
 * or supervisor. Pure: takes the accounts, returns the one named or throws.
 */
import { EarshotError } from '@earshot/shared';
import type { Steps } from '../storage/record/steps.ts';
import { type Account, accountsSteps } from '../users/account-steps.ts';
import type { CaseSummary } from './case-row.ts';
import { openCaseSteps } from './cases.ts';

export function requireAssignableOfficer(accounts: readonly Account[], username: string): Account {
  const a = accounts.find((u) => u.username === username);
  if (a === undefined) {
    const hint = accounts.find((u) => u.displayName.toLowerCase() === username.trim().toLowerCase());
    throw new EarshotError('EARSHOT_E_CASE_OFFICER_UNKNOWN', hint === undefined ? `no account ${JSON.stringify(username)}` : `${JSON.stringify(username)} is a name; the account is ${hint.username}`);
  }
  if (!a.enabled) throw new EarshotError('EARSHOT_E_CASE_OFFICER_UNKNOWN', `the account ${a.username} is disabled`);
  if (a.role === 'admin') throw new EarshotError('EARSHOT_E_CASE_OFFICER_UNKNOWN', `${a.username} is an administrator account, which holds no cases`);
  return a;
}

/** Opens a case assigned to an account, checked in the same transaction as the opening. */
export function* openAssignedCaseSteps(input: Parameters<typeof openCaseSteps>[0], nowMs: number): Steps<CaseSummary> {
  requireAssignableOfficer(yield* accountsSteps(), input.officer);
  return yield* openCaseSteps(input, nowMs);
}
