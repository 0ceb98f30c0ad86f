/**
 * The evidence log as the rest of the ingest uses it (DESIGN §5): append a leaf,
 * sign tree heads, hand out inclusion and consistency proofs. A thin facade over
 * the leaf store, the tree head store and the server key; everything is
 * synchronous, so an append can share the transaction that stores the message.
 */
import type { Database as Db, Transaction } from 'better-sqlite3';
import { EarshotError } from '@earshot/shared';
import { type EvidenceLeaf, encodeLeaf } from './leaf.ts';
import { type Appended, LogStore, type StoredLeaf } from './log-store.ts';
import { evidenceMigrations } from './migrations.ts';
import type { ServerKey } from './server-key.ts';
import { type SignedTreeHead, signTreeHead, treeHeadInfo } from './tree-head.ts';
import { type StoredTreeHead, TreeHeadStore } from './tree-head-store.ts';
import type { TreeHeadSigner } from './tree-head-timer.ts';
import { type LogReport, type VerifyLogOptions, verifyLog } from './verify-log.ts';

export interface EvidenceLogOptions {
  /** The clock for appendedAt and tree head timestamps (tests pass a fixed one). */
  readonly now?: () => Date;
}

export interface IssuedTreeHead extends SignedTreeHead {
  /** Row id in evidence_tree_heads. */
  readonly id: number;
}

export class EvidenceLog implements TreeHeadSigner {
  /** The tables this class needs; pass to openDatabase with the other areas' migrations. */
  static readonly migrations = evidenceMigrations;

  readonly #store: LogStore;
  readonly #heads: TreeHeadStore;
  readonly #key: ServerKey;
  readonly #now: () => Date;
  readonly #signInTx: Transaction<() => IssuedTreeHead>;

  constructor(db: Db, key: ServerKey, options: EvidenceLogOptions = {}) {
    this.#store = new LogStore(db);
    this.#heads = new TreeHeadStore(db);
    this.#key = key;
    this.#now = options.now ?? (() => new Date());
    // Size, root and record read and written in one transaction: the head matches the leaves it counts.
    this.#signInTx = db.transaction((): IssuedTreeHead => {
      const size = this.#store.size;
      const signed = signTreeHead(size, this.#store.root(size), this.#now(), key.privateKey, key.logId);
      const { id } = this.#heads.record(size, signed.bytes, signed.signature);
      return { ...signed, id };
    });
  }

  get size(): number {
    return this.#store.size;
  }

  get serverKey(): ServerKey {
    return this.#key;
  }

  /** Validates and canonically encodes the leaf, then appends its bytes. A correction must name an earlier leaf. */
  append(leaf: EvidenceLeaf): Appended {
    const bytes = encodeLeaf(leaf);
    if (leaf.kind === 'correction' && leaf.data.correctsLeafIndex >= this.#store.size) {
      throw new EarshotError('EARSHOT_E_LEAF_INVALID', `correction of leaf ${leaf.data.correctsLeafIndex}, but the log holds ${this.#store.size} leaves`);
    }
    return this.#store.append(bytes, this.#now().toISOString());
  }

  /** The stored leaf (bytes verbatim), or null past the end. */
  leaf(leafIndex: number): StoredLeaf | null {
    return this.#store.leaf(leafIndex);
  }

  /** MTH of the first treeSize leaves (default: all). */
  root(treeSize: number = this.size): Buffer {
    return this.#store.root(treeSize);
  }

  /** Signs and records a head for the log as it stands. */
  signTreeHead(): IssuedTreeHead {
    return this.#signInTx.immediate();
  }

  /** The latest head issued, as stored (exact bytes and signature), or null before the first. */
  latestTreeHead(): StoredTreeHead | null {
    return this.#heads.latest();
  }

  latestHeadInfo(): { treeSize: number; timestamp: string } | null {
    const h = this.#heads.latest();
    return h === null ? null : treeHeadInfo(h.bytes);
  }

  /** RFC 6962 §2.1.1 audit path; throws EARSHOT_E_PROOF_RANGE outside the log. */
  inclusionProof(leafIndex: number, treeSize: number): Buffer[] {
    return this.#store.inclusionProof(leafIndex, treeSize);
  }

  /** RFC 6962 §2.1.2 consistency proof; throws EARSHOT_E_PROOF_RANGE outside the log. */
  consistencyProof(first: number, second: number): Buffer[] {
    return this.#store.consistencyProof(first, second);
  }

  /** `earshot log verify`: the whole log against every head ever signed. */
  verify(options: VerifyLogOptions = {}): LogReport {
    return verifyLog(this.#store, this.#heads, this.#key.publicKey, options);
  }
}
