/** What every route is given: the dependencies of the app, wired once. */
import { EarshotError } from '@earshot/shared';
import type { CasesContext } from '../cases/index.ts';
import type { CaseRow } from '../cases/case-row.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import { findCase } from '../cases/case-row.ts';
import type { Db } from '../db/open.ts';
import type { TimelineService } from '../timeline/index.ts';
import type { AccessLog, User, Users } from '../users/index.ts';
import type { ClipLookup } from './clip-lookup.ts';
import type { Jobs } from './jobs.ts';
import type { UrlSigner } from './signed-url.ts';

export interface RouteContext {
  readonly db: Db;
  readonly users: Users;
  readonly accessLog: AccessLog;
  readonly timeline: TimelineService;
  readonly clips: ClipLookup;
  readonly jobs: Jobs;
  readonly signer: UrlSigner;
  readonly now: () => number;
  /** Case changes from the browser (issue 12); absent in a read-only app. */
  readonly cases: CasesContext | null;
  /** Device administration (issue 12); absent in a read-only app. */
  readonly registry: DeviceRegistry | null;
  /** What a new monitor's provisioning details name besides its id and secret. */
  readonly provisioning: ProvisioningBase | null;
  /** Called after a deployment starts or ends, so the monitor gets its config at once. */
  readonly onDeploymentsChanged: () => void;
}

export interface ProvisioningBase {
  readonly server: string;
  readonly serverPublicKeyPem: string;
  readonly caPem?: string;
}

/** The case operations, or EARSHOT_E_INTERNAL when this app was built without them. */
export function requireCases(ctx: RouteContext): CasesContext {
  if (ctx.cases === null) throw new EarshotError('EARSHOT_E_INTERNAL', 'this service was started without case changes');
  return ctx.cases;
}

/** Admin-only routes (issue 12: users and devices). */
export function requireAdmin(user: User): void {
  if (user.role !== 'admin') throw new EarshotError('EARSHOT_E_HTTP_FORBIDDEN', `${user.username} is not an administrator`);
}

/** The case, if it exists and the user may see it (issue 5: an officer sees only cases assigned to them). */
export function requireVisibleCase(ctx: RouteContext, user: User, ref: string): CaseRow {
  const row = findCase(ctx.db, ref);
  if (row === undefined) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', ref);
  // Issue 11 item 16: a case the user may not see is answered as one that does not exist (404, same message), so its existence is not told.
  if (!ctx.users.canSeeCase(user, row.officer)) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', ref);
  return row;
}
