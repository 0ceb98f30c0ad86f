export {
  Outbox, outboxStatus, DEFAULT_QUOTA_BYTES, DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_RECORD_SECONDS, DEFAULT_RECORDS_PER_MESSAGE,
  type EnqueueOptions, type OutboxOptions, type OutboxStats, type OutgoingPart, type QueuedKind,
} from './outbox.ts';
export { MemoryHold, DEFAULT_HOLD_RECORDS, DEFAULT_HOLD_MAX_RECORD_SECONDS, type HeldItem, type HoldStats } from './memory-hold.ts';
export { DEFAULT_RESERVE_BYTES } from './journal-reserve.ts';
export { describeClipFile, type ClipFileFacts } from './clip-file.ts';
export { mergeLevelRecords, halveRecords, contiguous } from './level-merge.ts';
export { crc32 } from './crc32.ts';
