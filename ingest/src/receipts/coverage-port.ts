/**
 * The port stored receipts read and write through (receipts.ts): what the
 * ledger covers and the marks kept in receipt_marks. Two shapes, one core:
 *
 * - SQLite (sqlite-coverage.ts) answers synchronously, point lookups on
 *   primary keys, so a drain reads as it goes, exactly as before the port.
 * - PostgreSQL (storage/postgres/receipt-coverage.ts) answers a drain's devices
 *   in one query before it starts (`load`): every read would otherwise be a
 *   round trip, and another process sharing the store may have stored any of a
 *   device's seqs, so coverage is the database's, never this process's memory.
 */

/** What the ledger covers, for the devices of one drain (or always, on SQLite). */
export interface CoverageView {
  /**
   * Where a device's walk starts: its stored mark (receipt_marks), or, with none, the end of the run of
   * stored seqs from 0 (coverage.ts initialMark); -1 when seq 0 is not stored.
   */
  mark(device: string): number;
  /** True when seq of device is in the ledger and, for a clip manifest, its chunks are all stored (or it has settled). */
  stored(device: string, seq: number): boolean;
  /**
   * The highest seq this view answers for (stored() says false above it, whatever the ledger holds):
   * a walk that reaches it goes on at the next drain. Absent: no limit.
   */
  through?(device: string): number;
}

/** SQLite: reads as it goes. */
export interface SyncReceiptCoverage extends CoverageView {
  readonly load?: undefined;
  /** Writes each mark, never lowering a stored one, in one transaction. */
  writeMarks(marks: ReadonlyMap<string, number>, atMs: number): void;
}

/** PostgreSQL: one read per drain. */
export interface AsyncReceiptCoverage {
  /**
   * What the devices' walks read, in one query. `known` is the mark this process holds for a device (undefined for
   * none): the view's mark is the higher of it and the stored one, so a mark another process wrote counts too.
   */
  load(known: ReadonlyMap<string, number | undefined>): Promise<CoverageView>;
  /** Writes each mark, never lowering a stored one (GREATEST), in one statement. */
  writeMarks(marks: ReadonlyMap<string, number>, atMs: number): Promise<void>;
}

export type ReceiptCoverage = SyncReceiptCoverage | AsyncReceiptCoverage;
