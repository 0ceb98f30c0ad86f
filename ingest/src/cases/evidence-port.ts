/**
 * What the cases area needs of the evidence log: append one leaf (DESIGN §5).
 * The log wraps it as {"v":1,"kind":…,"recordedAt":…,"caseRef":…,"data":…}.
 * It must write to the same SQLite database, synchronously, so the row that
 * records a change and its leaf commit in one transaction or not at all.
 */
import type { Database } from 'better-sqlite3';

/** access: who read or handed out what (users/access-log.ts). */
export type EvidenceKind = 'case' | 'deployment' | 'calibration' | 'diary' | 'annotation' | 'correction' | 'access';

export interface EvidenceLeafInput {
  readonly kind: EvidenceKind;
  readonly caseRef: string | null;
  readonly data: unknown;
}

export interface EvidenceAppender {
  append(leaf: EvidenceLeafInput): { readonly leafIndex: number };
}

/** Everything the case operations are given. */
export interface CasesContext {
  readonly db: Database;
  readonly evidence: EvidenceAppender;
  /** Milliseconds since the epoch (injected so tests control time). */
  readonly now: () => number;
}
