/**
 * The storage port of the evidence log (DESIGN §5): its leaves, complete
 * subtree nodes and signed tree heads, asynchronous so that one interface
 * serves the embedded SQLite store and PostgreSQL (DESIGN §8). Both adapters
 * give the same bytes, roots and proofs for the same appends
 * (ingest/test/storage/evidence-log-port.test.ts runs one script on both).
 *
 * Proofs are computed by the pure RFC 6962 maths in evidence/merkle.ts; an
 * adapter only stores and fetches. Nodes are immutable once written and a tree
 * of size n never changes, so a proof needs no transaction even while others
 * append.
 */
import type { Appended, StoredLeaf } from '../evidence/log-store.ts';
import type { StoredTreeHead } from '../evidence/tree-head-store.ts';

export type { Appended, StoredLeaf } from '../evidence/log-store.ts';
export type { StoredTreeHead } from '../evidence/tree-head-store.ts';

/** A complete subtree: 2^level leaves from index·2^level (level 0 is a leaf hash). */
export interface NodeRef {
  readonly level: number;
  readonly index: number;
}

export interface LeafToAppend {
  readonly leaf: Uint8Array;
  readonly appendedAt: string;
}

export interface EvidenceLogPort {
  readonly store: 'sqlite' | 'postgres';
  /** Number of leaves. */
  size(): Promise<number>;
  /** Appends leaf bytes verbatim at the next index, serialised against every other appender. */
  append(leaf: Uint8Array, appendedAt: string): Promise<Appended>;
  /** Appends several leaves at consecutive indexes in one transaction: all or none. */
  appendAll(leaves: readonly LeafToAppend[]): Promise<Appended[]>;
  leaf(index: number): Promise<StoredLeaf | null>;
  /** Up to `limit` leaves from index `from`, in index order. */
  leafPage(from: number, limit: number): Promise<StoredLeaf[]>;
  /** The stored hash of each node asked for, or null where none is stored. */
  nodes(refs: readonly NodeRef[]): Promise<(Buffer | null)[]>;
  /** MTH of the first `treeSize` leaves (RFC 6962 §2.1); the whole log by default. */
  root(treeSize?: number): Promise<Buffer>;
  /** RFC 6962 §2.1.1 audit path. */
  inclusionProof(leafIndex: number, treeSize: number): Promise<Buffer[]>;
  /** RFC 6962 §2.1.2 consistency proof. */
  consistencyProof(first: number, second: number): Promise<Buffer[]>;
  recordTreeHead(treeSize: number, bytes: Buffer, signature: Buffer): Promise<StoredTreeHead>;
  latestTreeHead(): Promise<StoredTreeHead | null>;
  /** Every head, smallest tree first. */
  treeHeads(): Promise<StoredTreeHead[]>;
}
