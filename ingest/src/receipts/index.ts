export { createReceipts, MARK_WRITE_MS, MAX_PER_TURN, RECEIPT_RATE, type Receipts, type ReceiptsOptions, type ReceiptPublish } from './receipts.ts';
export { createCoverage, type Coverage } from './coverage.ts';
export { receiptsMigrations } from './migrations.ts';
