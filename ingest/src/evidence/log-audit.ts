/**
 * The checks of `earshot log verify`, whatever store the log is read from
 * (verify-log.ts on the synchronous SQLite store, storage/verify-log.ts over the
 * evidence-log port): fed the stored tree heads, then every leaf in index order
 * and every stored subtree node the leaves complete, it recomputes the tree in a
 * compact range (O(log n) memory) and collects failures as data:
 *  - every leaf present (indexes 0..n-1) and matching its stored hash;
 *  - every stored subtree node matching the leaves below it;
 *  - every signed tree head: signature, log id, and its root against the root
 *    recomputed at its size (RFC 6962 §2.1).
 * Pure and synchronous: the callers do the reading.
 */
import type { KeyObject } from 'node:crypto';
import { CompactRange } from './compact-range.ts';
import { leafHash } from './merkle.ts';
import { type TreeHead, verifyTreeHead } from './tree-head.ts';
import type { LogFailure, LogReport } from './verify-log.ts';

/** A stored signed tree head as either store returns it. */
export interface StoredHeadRecord {
  readonly id: number;
  readonly treeSize: number;
  readonly bytes: Buffer;
  readonly signature: Buffer;
}

export type OnNode = (level: number, index: number, hash: Buffer) => void;

export class LogAudit {
  readonly #range = new CompactRange();
  readonly #failures: LogFailure[] = [];
  readonly #maxFailures: number;
  readonly #heads: number;
  /** Heads whose signature holds, in tree size order; their roots are checked as the pass reaches their size. */
  readonly #pending: { id: number; head: TreeHead }[] = [];
  #next = 0;
  #failureCount = 0;

  constructor(heads: readonly StoredHeadRecord[], publicKey: KeyObject, maxFailures = 1000) {
    this.#maxFailures = maxFailures;
    this.#heads = heads.length;
    for (const h of heads) {
      const check = verifyTreeHead(h.bytes, h.signature, publicKey);
      if (!check.ok) {
        this.fail({ ...check.error, treeHeadId: h.id });
        continue;
      }
      if (check.head.treeSize !== h.treeSize) {
        this.fail({ code: 'EARSHOT_E_TREE_HEAD_MALFORMED', detail: `head ${h.id} is recorded at size ${h.treeSize} but signs size ${check.head.treeSize}`, treeHeadId: h.id });
      }
      this.#pending.push({ id: h.id, head: check.head });
    }
    this.#pending.sort((a, b) => a.head.treeSize - b.head.treeSize || a.id - b.id);
    this.#checkHeadsAt(0);
  }

  fail(f: LogFailure): void {
    this.#failureCount++;
    if (this.#failures.length < this.#maxFailures) this.#failures.push(f);
  }

  /**
   * The next leaf in index order; `onNode` hears every subtree it completes. False on a gap:
   * the missing leaf's hash is unknown, so roots from there on cannot be recomputed — stop.
   */
  leaf(leafIndex: number, bytes: Buffer, storedHash: Buffer, onNode: OnNode): boolean {
    const range = this.#range;
    if (range.size < leafIndex) {
      this.fail({ code: 'EARSHOT_E_LEAF_MISSING', detail: `leaf ${range.size}`, leafIndex: range.size });
      return false;
    }
    const h = leafHash(bytes);
    if (!h.equals(storedHash)) {
      this.fail({ code: 'EARSHOT_E_LEAF_HASH_MISMATCH', detail: `leaf ${leafIndex}: its bytes hash to ${h.toString('hex')}, stored ${storedHash.toString('hex')}`, leafIndex });
    }
    range.push(h, onNode);
    this.#checkHeadsAt(range.size);
    return true;
  }

  /** A subtree node the leaves completed (`hash`) against the one the store holds (null: none). */
  node(level: number, index: number, hash: Buffer, stored: Buffer | null): void {
    if (stored === null || !stored.equals(hash)) {
      const first = index * 2 ** level;
      this.fail({ code: 'EARSHOT_E_NODE_MISMATCH', detail: `level ${level} node ${index} (leaves ${first}–${first + 2 ** level - 1}) ${stored === null ? 'is missing' : 'differs'}` });
    }
  }

  /** Ends the pass: heads signing more leaves than the log holds fail. */
  report(): LogReport {
    const pending = this.#pending;
    for (; this.#next < pending.length; this.#next++) {
      const { id, head } = pending[this.#next]!;
      this.fail({ code: 'EARSHOT_E_TREE_HEAD_BEYOND_LOG', detail: `head ${id} (${head.timestamp}) signs ${head.treeSize} leaves, the log holds ${this.#range.size}`, treeHeadId: id });
    }
    return { ok: this.#failureCount === 0, leaves: this.#range.size, treeHeads: this.#heads, failures: this.#failures, failureCount: this.#failureCount };
  }

  #checkHeadsAt(size: number): void {
    const pending = this.#pending;
    while (this.#next < pending.length && pending[this.#next]!.head.treeSize === size) {
      const { id, head } = pending[this.#next++]!;
      const root = this.#range.root().toString('hex');
      if (root !== head.rootHash) {
        this.fail({ code: 'EARSHOT_E_TREE_HEAD_ROOT_MISMATCH', detail: `head ${id} (size ${size}, ${head.timestamp}) signs root ${head.rootHash}, the leaves give ${root}`, treeHeadId: id });
      }
    }
  }
}
