/** Codes of the device's durable outbox, its MQTT uplink and its identity (Ed25519 key pair). */
import type { ErrorSpec } from '../error-spec.ts';

export const outboxErrors = {
  EARSHOT_E_JOURNAL_CORRUPT: { message: 'outbox journal damaged: %s', http: 500, exit: 1 },
  EARSHOT_E_JOURNAL_FULL: { message: 'outbox journal quota reached: %s', http: 507, exit: 1 },
  EARSHOT_E_STORAGE_FULL: { message: 'monitor storage full: %s', http: 507, exit: 1 },
  EARSHOT_E_OUTBOX_CLOSED: { message: 'outbox is closed: %s', http: 500, exit: 2 },
  EARSHOT_E_CLIP_FILE: { message: 'clip file unusable: %s', http: 400, exit: 2 },
  EARSHOT_E_IDENTITY_MISSING: { message: 'device key pair not found: %s', http: 500, exit: 2 },
  EARSHOT_E_IDENTITY_EXISTS: { message: 'device key pair already exists: %s', http: 409, exit: 2 },
  EARSHOT_E_IDENTITY_PERMISSIONS: { message: 'device private key is readable by others: %s', http: 500, exit: 2 },
  EARSHOT_E_IDENTITY_INVALID: { message: 'device key pair unusable: %s', http: 500, exit: 2 },
  EARSHOT_E_UPLINK_REFUSED: { message: 'broker refused the connection: %s', http: 502, exit: 1 },
  EARSHOT_E_UPLINK_OFFLINE: { message: 'broker unreachable: %s', http: 502, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
