export { Uplink, DEFAULT_MAX_IN_FLIGHT, type UplinkOptions, type UplinkStatus } from './uplink.ts';
export { clientOptions, DEFAULT_KEEPALIVE_SECONDS, type ConnectionSettings } from './client-options.ts';
export {
  backoffDelay, DEFAULT_BACKOFF, HANDSHAKE_TIMEOUT_MS, ReconnectSchedule, type BackoffOptions, type ConnectionEnd,
} from './backoff.ts';
export { RECEIPT_SYNC_MS, RECEIPT_TIMEOUT_MAX_MS, RECEIPT_TIMEOUT_MS, type ReceiptOptions } from './uplink.ts';
export { ReceiptCheck, type ReceiptCounts, type ReceiptVerdict } from './receipt-check.ts';
export { serverReceiptKey } from './server-key.ts';
