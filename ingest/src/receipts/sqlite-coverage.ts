/**
 * Stored receipts' port on the embedded SQLite store: coverage from the message
 * ledger and clip tables (coverage.ts), marks in receipt_marks. Synchronous
 * point lookups, as the receipts always read on SQLite.
 */
import type { Db } from '../db/open.ts';
import { createCoverage } from './coverage.ts';
import type { SyncReceiptCoverage } from './coverage-port.ts';

export function sqliteReceiptCoverage(db: Db): SyncReceiptCoverage {
  const coverage = createCoverage(db);
  const readMark = db.prepare<[string], { stored: number }>('SELECT stored FROM receipt_marks WHERE device = ?');
  const writeMark = db.prepare<[string, number, number]>(
    'INSERT INTO receipt_marks (device, stored, at) VALUES (?, ?, ?) ON CONFLICT (device) DO UPDATE SET stored = max(stored, excluded.stored), at = excluded.at');
  const writeMarks = db.transaction((marks: ReadonlyMap<string, number>, at: number) => {
    for (const [d, m] of marks) writeMark.run(d, m, at);
  });
  return {
    mark: (device) => readMark.get(device)?.stored ?? coverage.initialMark(device),
    stored: coverage.stored,
    writeMarks(marks, at) {
      writeMarks.immediate(marks, at);
    },
  };
}
