/** What every route is given: the dependencies of the app, wired once. */
import { EarshotError } from '@earshot/shared';
import { type CaseRow, findCaseStep } from '../cases/case-row.ts';
import type { RecordStore } from '../storage/record/steps.ts';
import { type AccessRecord, recordAccessSteps } from '../users/access-log.ts';
import type { User, Users } from '../users/index.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { DeviceAdmin } from './device-admin.ts';
import type { ClipBytes } from './clip-store.ts';
import type { Jobs } from './jobs.ts';
import type { UrlSigner } from './signed-url.ts';

export interface RouteContext {
  /** The record on either store (storage/record/steps.ts): every read and change of cases, deployments, the diary. */
  readonly record: RecordStore;
  readonly users: Users;
  /** Where stored clips' bytes are read. */
  readonly clips: ClipBytes;
  readonly jobs: Jobs;
  readonly signer: UrlSigner;
  readonly now: () => number;
  /** Case changes from the browser (issue 12); false in a read-only app. */
  readonly writable: boolean;
  /** The devices as the registry holds them (issue 12: the browser lists them, a deployment names one). */
  readonly registry: DeviceRegistry | null;
  /** Device administration from the browser (issue 12): adding, disabling, enabling a monitor. */
  readonly devices: DeviceAdmin | null;
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

/** EARSHOT_E_INTERNAL when this app was built read-only. */
export function requireWritable(ctx: RouteContext): void {
  if (!ctx.writable) throw new EarshotError('EARSHOT_E_INTERNAL', 'this service was started without case changes');
}

/** Admin-only routes (issue 12: users and devices). */
export function requireAdmin(user: User): void {
  if (user.role !== 'admin') throw new EarshotError('EARSHOT_E_HTTP_FORBIDDEN', `${user.username} is not an administrator`);
}

/** The case, if it exists and the user may see it (issue 5: an officer sees only cases assigned to them). */
export async function requireVisibleCase(ctx: RouteContext, user: User, ref: string): Promise<CaseRow> {
  const row = await ctx.record.read(findCaseStep(ref));
  if (row === undefined) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', ref);
  // Issue 11 item 16: a case the user may not see is answered as one that does not exist (404, same message), so its existence is not told.
  if (!ctx.users.canSeeCase(user, row.officer)) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', ref);
  return row;
}

/** One access: its row and its evidence leaf, in one transaction of the record (users/access-log.ts). */
export function logAccess(ctx: RouteContext, r: AccessRecord): Promise<unknown> {
  return ctx.record.write(recordAccessSteps(r, ctx.now()));
}
