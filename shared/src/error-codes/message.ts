/** Codes of a device message as the ingest receives it (DESIGN §4). */
import type { ErrorSpec } from '../error-spec.ts';

export const messageErrors = {
  EARSHOT_E_TOPIC_INVALID: { message: 'not an Earshot topic: %s', http: 400, exit: 2 },
  EARSHOT_E_ENVELOPE_MALFORMED: { message: 'malformed signed envelope: %s', http: 400, exit: 2 },
  EARSHOT_E_SIGNATURE_INVALID: { message: 'signature does not verify: %s', http: 400, exit: 1 },
  EARSHOT_E_BODY_INVALID: { message: 'message body does not match its schema: %s', http: 400, exit: 2 },
  EARSHOT_E_DEVICE_MISMATCH: { message: 'message names another device: %s', http: 403, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
