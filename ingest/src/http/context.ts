/** What every route is given: the dependencies of the app, wired once. */
import { EarshotError } from '@earshot/shared';
import type { CaseRow } from '../cases/case-row.ts';
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
}

/** The case, if it exists and the user may see it (issue 5: an officer sees only cases assigned to them). */
export function requireVisibleCase(ctx: RouteContext, user: User, ref: string): CaseRow {
  const row = findCase(ctx.db, ref);
  if (row === undefined) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', ref);
  if (!ctx.users.canSeeCase(user, row.officer)) throw new EarshotError('EARSHOT_E_HTTP_FORBIDDEN', `${ref} is not assigned to ${user.username}`);
  return row;
}
