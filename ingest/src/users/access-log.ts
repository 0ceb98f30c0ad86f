/**
 * The access log (issue 5): every read of evidence (case page, timeline, clip)
 * and every export, who, what and when — a row in `access_log` and a leaf of
 * kind `access` in the evidence log, in one transaction, so the record of who
 * looked is itself part of the tamper-evident record (DESIGN §5).
 */
import type { Db } from '../db/open.ts';
import { writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, append, get } from '../storage/record/steps.ts';

/** 'case-list': the list of cases (with their addresses) was read; its target names the cases shown. */
/** Issue 13: 'resident-link-issued' / 'resident-link-revoked' (a diary link), 'resident-entry' (an entry sent through one). */
export type AccessAction = 'case' | 'case-list' | 'timeline' | 'clip' | 'export' | 'download' | 'resident-link-issued' | 'resident-link-revoked' | 'resident-entry' | 'complainant';

export interface AccessLeafInput {
  readonly kind: 'access';
  readonly caseRef: string | null;
  readonly data: { readonly username: string; readonly action: AccessAction; readonly target: string; readonly at: string };
}

/** The evidence log as the access log needs it: append one leaf, synchronously, in the same database. */
export interface AccessEvidencePort {
  append(leaf: AccessLeafInput): { readonly leafIndex: number };
}

export interface AccessRecord {
  readonly username: string;
  readonly action: AccessAction;
  readonly caseRef: string | null;
  /** What was read: a case ref, a period, a clip id, a job id. */
  readonly target: string;
}

export interface AccessEntry extends AccessRecord {
  readonly id: number;
  readonly at: string;
  readonly leafIndex: number;
}

export interface AccessLog {
  record(r: AccessRecord): AccessEntry;
  /** The evidence log it appends to (for an operation that records an access in its own transaction). */
  readonly evidence: AccessEvidencePort;
  list(filter?: { readonly caseRef?: string }): AccessEntry[];
}

interface Row { id: number; at: number; username: string; action: AccessAction; case_ref: string | null; target: string; leaf_index: number }

/** Records one access: its row and its leaf, in the operation's transaction (storage/record/steps.ts). */
export function* recordAccessSteps(r: AccessRecord, atMs: number): Steps<AccessEntry> {
  const at = new Date(atMs).toISOString();
  const { leafIndex } = yield* append({ kind: 'access', caseRef: r.caseRef, data: { username: r.username, action: r.action, target: r.target, at } });
  const { id } = (yield* get<{ id: number }>(
    'INSERT INTO access_log (at, username, action, case_ref, target, leaf_index) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    atMs, r.username, r.action, r.caseRef, r.target, leafIndex,
  ))!;
  return { ...r, id, at, leafIndex };
}

/** The record port's evidence appender over an access log's port (it appends only `access` leaves). */
export function accessAppender(port: AccessEvidencePort): { append(leaf: { kind: string; caseRef: string | null; data: unknown }): { leafIndex: number } } {
  return { append: (leaf) => port.append(leaf as AccessLeafInput) };
}

export function createAccessLog(db: Db, evidence: AccessEvidencePort, now: () => number = Date.now): AccessLog {
  const select = db.prepare<{ caseRef: string | null }, Row>('SELECT * FROM access_log WHERE (:caseRef IS NULL OR case_ref = :caseRef) ORDER BY id');
  const ctx = { db, evidence: accessAppender(evidence) };
  return {
    evidence,
    record: (r) => writeNow(ctx, recordAccessSteps(r, now())),
    list(filter = {}) {
      return select.all({ caseRef: filter.caseRef ?? null }).map((r) => ({
        id: r.id, at: new Date(r.at).toISOString(), username: r.username, action: r.action, caseRef: r.case_ref, target: r.target, leafIndex: r.leaf_index,
      }));
    },
  };
}

/** Wraps an EvidenceLog-like `append(leaf)` (full DESIGN §5 leaf) as the port above. */
export function accessPortFor(log: { append(leaf: { v: 1; kind: 'access'; recordedAt: string; caseRef: string | null; data: Record<string, string> }): { leafIndex: number } }, now: () => number = Date.now): AccessEvidencePort {
  return {
    append: (leaf) => log.append({ v: 1, kind: 'access', recordedAt: new Date(now()).toISOString(), caseRef: leaf.caseRef, data: { ...leaf.data } }),
  };
}
