/**
 * The resident's diary link (issue 13, DESIGN §6b): a capability for one
 * deployment's diary and nothing else. Issuing one revokes any other of the
 * same deployment; a link expires when its deployment ends or its case closes.
 * Every issue and revocation is in the access log (and so the evidence log).
 */
import { EarshotError } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import type { AccessLog } from '../users/index.ts';
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

function deploymentState(db: Db, deploymentId: number): DeploymentState | undefined {
  return db.prepare<[number], DeploymentState>(
    'SELECT d.case_ref, d.removed_ms, c.status FROM deployments d JOIN cases c ON c.ref = d.case_ref WHERE d.id = ?',
  ).get(deploymentId);
}

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

function revokeOpen(ctx: LinksContext, deploymentId: number, by: string, reason: string, nowMs: number): number[] {
  const open = ctx.db.prepare<[number], LinkRow>('SELECT * FROM resident_links WHERE deployment_id = ? AND revoked_ms IS NULL ORDER BY id').all(deploymentId);
  const update = ctx.db.prepare('UPDATE resident_links SET revoked_ms = ?, revoked_by = ?, revoked_reason = ?, revoke_leaf = ? WHERE id = ?');
  for (const l of open) {
    const entry = ctx.accessLog.record({ username: by, action: 'resident-link-revoked', caseRef: l.case_ref, target: `deployment ${deploymentId} link ${l.id}: ${reason}` });
    update.run(nowMs, by, reason, entry.leafIndex, l.id);
  }
  return open.map((l) => l.id);
}

/** Issues a new link for a running deployment, revoking the ones before it. */
export function issueLink(ctx: LinksContext, deploymentId: number, by: string): IssuedLink {
  return ctx.db.transaction((): IssuedLink => {
    const nowMs = ctx.now();
    const d = deploymentState(ctx.db, deploymentId);
    if (d === undefined) throw new EarshotError('EARSHOT_E_DEPLOYMENT_NOT_FOUND', String(deploymentId));
    const ended = endedBecause(d, nowMs);
    if (ended !== null) throw new EarshotError('EARSHOT_E_RESIDENT_LINK_UNAVAILABLE', ended);
    const revoked = revokeOpen(ctx, deploymentId, by, 'replaced by a new link', nowMs);
    const token = newLinkToken();
    const id = Number(
      ctx.db.prepare('INSERT INTO resident_links (deployment_id, case_ref, token_sha256, issued_ms, issued_by, issue_leaf) VALUES (?, ?, ?, ?, ?, -1)')
        .run(deploymentId, d.case_ref, tokenSha256(token), nowMs, by).lastInsertRowid,
    );
    const entry = ctx.accessLog.record({ username: by, action: 'resident-link-issued', caseRef: d.case_ref, target: `deployment ${deploymentId} link ${id}` });
    ctx.db.prepare('UPDATE resident_links SET issue_leaf = ? WHERE id = ?').run(entry.leafIndex, id);
    const row = ctx.db.prepare<[number], LinkRow>('SELECT * FROM resident_links WHERE id = ?').get(id)!;
    return { token, link: toLink(row), revoked };
  }).immediate();
}

/** Revokes every live link of a deployment (e.g. a phone lost); returns the ids revoked. */
export function revokeLinks(ctx: LinksContext, deploymentId: number, by: string, reason: string): number[] {
  return ctx.db.transaction(() => {
    if (deploymentState(ctx.db, deploymentId) === undefined) throw new EarshotError('EARSHOT_E_DEPLOYMENT_NOT_FOUND', String(deploymentId));
    return revokeOpen(ctx, deploymentId, by, reason, ctx.now());
  }).immediate();
}

export type LinkLookup =
  | { readonly ok: true; readonly link: ResidentLink; readonly deploymentEnd: string | null }
  | { readonly ok: false; readonly code: 'EARSHOT_E_RESIDENT_LINK_UNKNOWN' | 'EARSHOT_E_RESIDENT_LINK_REVOKED' | 'EARSHOT_E_RESIDENT_LINK_EXPIRED'; readonly detail: string };

/** The live link a token names, or why there is none. */
export function findLink(db: Db, token: string, nowMs: number): LinkLookup {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_UNKNOWN', detail: 'the link is incomplete' };
  const row = db.prepare<[string], LinkRow>('SELECT * FROM resident_links WHERE token_sha256 = ?').get(tokenSha256(token));
  if (row === undefined) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_UNKNOWN', detail: 'no such link' };
  if (row.revoked_ms !== null) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_REVOKED', detail: `withdrawn ${iso(row.revoked_ms)}` };
  const d = deploymentState(db, row.deployment_id);
  const ended = d === undefined ? 'the deployment is gone' : endedBecause(d, nowMs);
  if (ended !== null) return { ok: false, code: 'EARSHOT_E_RESIDENT_LINK_EXPIRED', detail: ended };
  return { ok: true, link: toLink(row), deploymentEnd: d?.removed_ms === null || d === undefined ? null : iso(d.removed_ms) };
}

export function listLinks(db: Db, deploymentId: number): ResidentLink[] {
  return db.prepare<[number], LinkRow>('SELECT * FROM resident_links WHERE deployment_id = ? ORDER BY id').all(deploymentId).map(toLink);
}
