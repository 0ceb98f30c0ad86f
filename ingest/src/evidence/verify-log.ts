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
import { CompactRange } from './compact-range.ts';
import type { LogStore } from './log-store.ts';
import { leafHash } from './merkle.ts';
import { type TreeHead, verifyTreeHead } from './tree-head.ts';
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
  const maxFailures = options.maxFailures ?? 1000;
  const failures: LogFailure[] = [];
  let failureCount = 0;
  const fail = (f: LogFailure): void => {
    failureCount++;
    if (failures.length < maxFailures) failures.push(f);
  };

  // Heads whose signature holds, in tree size order; their roots are checked as the pass reaches their size.
  const stored = heads.all();
  const pending: { id: number; head: TreeHead }[] = [];
  for (const h of stored) {
    const check = verifyTreeHead(h.bytes, h.signature, publicKey);
    if (!check.ok) {
      fail({ ...check.error, treeHeadId: h.id });
      continue;
    }
    if (check.head.treeSize !== h.treeSize) {
      fail({ code: 'EARSHOT_E_TREE_HEAD_MALFORMED', detail: `head ${h.id} is recorded at size ${h.treeSize} but signs size ${check.head.treeSize}`, treeHeadId: h.id });
    }
    pending.push({ id: h.id, head: check.head });
  }
  pending.sort((a, b) => a.head.treeSize - b.head.treeSize || a.id - b.id);

  const range = new CompactRange();
  let next = 0;
  const checkHeadsAt = (size: number): void => {
    while (next < pending.length && pending[next]!.head.treeSize === size) {
      const { id, head } = pending[next++]!;
      const root = range.root().toString('hex');
      if (root !== head.rootHash) {
        fail({ code: 'EARSHOT_E_TREE_HEAD_ROOT_MISMATCH', detail: `head ${id} (size ${size}, ${head.timestamp}) signs root ${head.rootHash}, the leaves give ${root}`, treeHeadId: id });
      }
    }
  };
  const onNode = (level: number, index: number, hash: Buffer): void => {
    const s = store.storedNode(level, index);
    if (s === null || !s.equals(hash)) {
      const first = index * 2 ** level;
      fail({ code: 'EARSHOT_E_NODE_MISMATCH', detail: `level ${level} node ${index} (leaves ${first}–${first + 2 ** level - 1}) ${s === null ? 'is missing' : 'differs'}` });
    }
  };

  checkHeadsAt(0);
  for (const leaf of store.leaves()) {
    if (range.size < leaf.leafIndex) {
      // A gap: the missing leaf's hash is unknown, so roots from here on cannot be recomputed.
      fail({ code: 'EARSHOT_E_LEAF_MISSING', detail: `leaf ${range.size}`, leafIndex: range.size });
      return finish();
    }
    const h = leafHash(leaf.leaf);
    if (!h.equals(leaf.leafHash)) {
      fail({ code: 'EARSHOT_E_LEAF_HASH_MISMATCH', detail: `leaf ${leaf.leafIndex}: its bytes hash to ${h.toString('hex')}, stored ${leaf.leafHash.toString('hex')}`, leafIndex: leaf.leafIndex });
    }
    range.push(h, onNode);
    checkHeadsAt(range.size);
  }
  return finish();

  function finish(): LogReport {
    for (; next < pending.length; next++) {
      const { id, head } = pending[next]!;
      fail({ code: 'EARSHOT_E_TREE_HEAD_BEYOND_LOG', detail: `head ${id} (${head.timestamp}) signs ${head.treeSize} leaves, the log holds ${range.size}`, treeHeadId: id });
    }
    return { ok: failureCount === 0, leaves: range.size, treeHeads: stored.length, failures, failureCount };
  }
}
