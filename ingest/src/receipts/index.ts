export { createReceipts, MARK_WRITE_MS, MAX_PER_TURN, RECEIPT_RATE, type AsyncReceipts, type Receipts, type ReceiptsOptions, type ReceiptPublish } from './receipts.ts';
export { createCoverage, type Coverage } from './coverage.ts';
export type { AsyncReceiptCoverage, CoverageView, ReceiptCoverage, SyncReceiptCoverage } from './coverage-port.ts';
export { sqliteReceiptCoverage } from './sqlite-coverage.ts';
export { receiptsMigrations } from './migrations.ts';
