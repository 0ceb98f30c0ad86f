export { createReceipts, MARK_WRITE_MS, type Receipts, type ReceiptsOptions, type ReceiptPublish } from './receipts.ts';
export { createCoverage, type Coverage } from './coverage.ts';
export { receiptsMigrations } from './migrations.ts';
