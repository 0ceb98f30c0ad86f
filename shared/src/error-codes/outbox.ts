/** Codes of the device's durable outbox and MQTT uplink. */
import type { ErrorSpec } from '../error-spec.ts';

export const outboxErrors = {
  EARSHOT_E_JOURNAL_CORRUPT: { message: 'outbox journal damaged: %s', http: 500, exit: 1 },
  EARSHOT_E_JOURNAL_FULL: { message: 'outbox journal quota reached: %s', http: 507, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
