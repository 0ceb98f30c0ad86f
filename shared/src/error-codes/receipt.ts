/** Codes of the stored receipts the ingest signs and the monitor checks (DESIGN §4 "Stored receipts"). */
import type { ErrorSpec } from '../error-spec.ts';

export const receiptErrors = {
  EARSHOT_E_RECEIPT_INVALID: { message: 'stored receipt ignored: %s', http: 400, exit: 1 },
  EARSHOT_E_RECEIPT_REPLAYED: { message: 'stored receipt older than one already seen, ignored: %s', http: 409, exit: 1 },
  EARSHOT_E_RECEIPT_KEY_MISSING: { message: 'no server public key configured, so stored receipts cannot be checked: %s', http: 500, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
