/**
 * The core of `earshot log verify` (issue 4): recompute the tree from the stored
 * leaf bytes in one streaming pass and check, as data:
 *  - every leaf is present (indexes 0..n-1) and matches its stored hash;
 *  - every stored subtree node matches the leaves below it;
 *  - every signed tree head ever issued: signature, log id, and its root against
 *    the root recomputed at its size (RFC 6962 §2.1).
 * Memory stays O(log n) (a compact range), whatever the log's size.
 */
import type { KeyObject } from 'node:crypto';
import type { ErrorCode } from '@earshot/shared';
import { LogAudit } from './log-audit.ts';
import type { LogStore } from './log-store.ts';
import type { TreeHeadStore } from './tree-head-store.ts';

export interface LogFailure {
  readonly code: ErrorCode;
  readonly detail: string;
  /** The leaf the failure is about, when it names one. */
  readonly leafIndex?: number;
  /** The stored tree head the failure is about, when it names one. */
  readonly treeHeadId?: number;
}

export interface LogReport {
  readonly ok: boolean;
  readonly leaves: number;
  readonly treeHeads: number;
  /** The first maxFailures failures found. */
  readonly failures: readonly LogFailure[];
  /** All failures found, including those past maxFailures. */
  readonly failureCount: number;
}

export interface VerifyLogOptions {
  readonly maxFailures?: number;
}

export function verifyLog(store: LogStore, heads: TreeHeadStore, publicKey: KeyObject, options: VerifyLogOptions = {}): LogReport {
  const audit = new LogAudit(heads.all(), publicKey, options.maxFailures);
  const onNode = (level: number, index: number, hash: Buffer): void => audit.node(level, index, hash, store.storedNode(level, index));
  for (const leaf of store.leaves()) {
    if (!audit.leaf(leaf.leafIndex, leaf.leaf, leaf.leafHash, onNode)) break;
  }
  return audit.report();
}
