/**
 * The resident's diary link (issue 13, DESIGN §6b): a capability for one
 * deployment's diary and nothing else. Issuing one revokes any other of the
 * same deployment; a link expires when its deployment ends or its case closes.
 * Every issue and revocation is in the access log (and so the evidence log).
 */
import { EarshotError } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { readNow, writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, get, run } from '../storage/record/steps.ts';
import { type AccessLog, accessAppender, recordAccessSteps } from '../users/access-log.ts';
import { TOKEN_PATTERN, newLinkToken, tokenSha256 } from './token.ts';

export interface LinksContext {
  readonly db: Db;
  readonly accessLog: AccessLog;
  readonly now: () => number;
}

export interface ResidentLink {
  readonly id: number;
  readonly deploymentId: number;
  readonly caseRef: string;
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly revokedAt: string | null;
}

export interface IssuedLink {
  /** Shown once: only its SHA-256 is kept. */
  readonly token: string;
  readonly link: ResidentLink;
  /** Links this issue revoked. */
  readonly revoked: readonly number[];
}

interface LinkRow {
  id: number;
  deployment_id: number;
  case_ref: string;
  issued_ms: number;
  issued_by: string;
  revoked_ms: number | null;
}

interface DeploymentState { case_ref: string; removed_ms: number | null; status: string }

const iso = (ms: number): string => new Date(ms).toISOString();

function toLink(r: LinkRow): ResidentLink {
  return { id: r.id, deploymentId: r.deployment_id, caseRef: r.case_ref, issuedAt: iso(r.issued_ms), issuedBy: r.issued_by, revokedAt: r.revoked_ms === null ? null : iso(r.revoked_ms) };
}

const DEPLOYMENT_STATE = 'SELECT d.case_ref, d.removed_ms, c.status FROM deployments d JOIN cases c ON c.ref = d.case_ref WHERE d.id = ?';


/** Why a deployment takes no link now, or null. */
function endedBecause(d: DeploymentState, nowMs: number): string | null {
  if (d.removed_ms !== null && d.removed_ms <= nowMs) return `the deployment ended ${iso(d.removed_ms)}`;
  if (d.status === 'closed') return `case ${d.case_ref} is closed`;
  return null;
}

/** Who used a link, as the access log names them. */
export function residentActor(linkId: number): string {
  return `resident (diary link ${linkId})`;
}

function* revokeOpen(deploymentId: number, by: string, reason: string, nowMs: number): Steps<number[]> {
  const open = yield* all<LinkRow>('SELECT * FROM resident_links WHERE deployment_id = ? AND revoked_ms IS NULL ORDER BY id', deploymentId);
  for (const l of open) {
    const entry = yield* recordAccessSteps({ username: by, action: 'resident-link-revoked', caseRef: l.case_ref, target: `deployment ${deploymentId} link ${l.id}: ${reason}` }, nowMs);
    yield* run('UPDATE resident_links SET revoked_ms = ?, revoked_by = ?, revoked_reason = ?, revoke_leaf = ? WHERE id = ?', nowMs, by, reason, entry.leafIndex, l.id);
  }
  return open.map((l) => l.id);
}

/** Issues a new link for a running deployment, revoking the ones before it. `token` is new (token.ts newLinkToken). */
export function* issueLinkSteps(deploymentId: number, by: string, token: string, nowMs: number): Steps<IssuedLink> {
  const d = yield* get<DeploymentState>(DEPLOYMENT_STATE, deploymentId);
  if (d === undefined) throw new EarshotError('EARSHOT_E_DEPLOYMENT_NOT_FOUND', String(deploymentId));
  const ended = endedBecause(d, nowMs);
  if (ended !== null) throw new EarshotError('EARSHOT_E_RESIDENT_LINK_UNAVAILABLE', ended);
  const revoked = yield* revokeOpen(deploymentId, by, 'replaced by a new link', nowMs);
  const { id } = (yield* get<{ id: number }>(
    'INSERT INTO resident_links (deployment_id, case_ref, token_sha256, issued_ms, issued_by, issue_leaf) VALUES (?, ?, ?, ?, ?, -1) RETURNING id',
    deploymentId, d.case_ref, tokenSha256(token), nowMs, by,
  ))!;
  const entry = yield* recordAccessSteps({ username: by, action: 'resident-link-issued', caseRef: d.case_ref, target: `deployment ${deploymentId} link ${id}` }, nowMs);
  yield* run('UPDATE resident_links SET issue_leaf = ? WHERE id = ?', entry.leafIndex, id);
  const row = (yield* get<LinkRow>('SELECT * FROM resident_links WHERE id = ?', id))!;
  return { token, link: toLink(row), revoked };
}

/** Revokes every live link of a deployment (e.g. a phone lost); returns the ids revoked. */
export function* revokeLinksSteps(deploymentId: number, by: string, reason: string, nowMs: number): Steps<number[]> {
  if ((yield* get<DeploymentState>(DEPLOYMENT_STATE, deploymentId)) === undefined) throw new EarshotError('EARSHOT_E_DEPLOYMENT_NOT_FOUND', String(deploymentId));
  return yield* revokeOpen(deploymentId, by, reason, nowMs);
}

const writeContext = (ctx: LinksContext) => ({ db: ctx.db, evidence: accessAppender(ctx.accessLog.evidence) });

export function issueLink(ctx: LinksContext, deploymentId: number, by: string): IssuedLink {
  return writeNow(writeContext(ctx), issueLinkSteps(deploymentId, by, newLinkToken(), ctx.now()));
}

export function revokeLinks(ctx: LinksContext, deploymentId: number, by: string, reason: string): number[] {
  return writeNow(writeContext(ctx), revokeLinksSteps(deploymentId, by, reason, ctx.now()));
}

export type LinkLookup =
  | { readonly ok: true; readonly link: ResidentLink; readonly deploymentEnd: string | null }
  | { readonly ok: false; readonly code: 'EARSHOT_E_RESIDENT_LINK_UNKNOWN' | 'EARSHOT_E_RESIDENT_LINK_REVOKED' | 'EARSHOT_E_RESIDENT_LINK_EXPIRED'; readonly detail: string };

/** The live link a token names, or why there is none. */
export function* findLinkSteps(token: string, nowMs: number): Steps<LinkLookup> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_UNKNOWN', detail: 'the link is incomplete' };
  const row = yield* get<LinkRow>('SELECT * FROM resident_links WHERE token_sha256 = ?', tokenSha256(token));
  if (row === undefined) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_UNKNOWN', detail: 'no such link' };
  if (row.revoked_ms !== null) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_REVOKED', detail: `withdrawn ${iso(row.revoked_ms)}` };
  const d = yield* get<DeploymentState>(DEPLOYMENT_STATE, row.deployment_id);
  const ended = d === undefined ? 'the deployment is gone' : endedBecause(d, nowMs);
  if (ended !== null) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_EXPIRED', detail: ended };
  return { ok: true, link: toLink(row), deploymentEnd: d?.removed_ms === null || d === undefined ? null : iso(d.removed_ms) };
}

export function findLink(db: Db, token: string, nowMs: number): LinkLookup {
  return readNow(db, findLinkSteps(token, nowMs));
}

export function listLinks(db: Db, deploymentId: number): ResidentLink[] {
  return db.prepare<[number], LinkRow>('SELECT * FROM resident_links WHERE deployment_id = ? ORDER BY id').all(deploymentId).map(toLink);
}
