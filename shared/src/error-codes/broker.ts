/** Codes of the embedded broker: device identity, authorisation, limits. */
import type { ErrorSpec } from '../error-spec.ts';

export const brokerErrors = {
  EARSHOT_E_DEVICE_ID_INVALID: { message: 'not a valid device id (DESIGN §4: [a-z0-9-]{3,64}): %s', http: 400, exit: 2 },
  EARSHOT_E_DEVICE_EXISTS: { message: 'device already registered: %s', http: 409, exit: 2 },
  EARSHOT_E_DEVICE_UNKNOWN: { message: 'no such device: %s', http: 404, exit: 2 },
  EARSHOT_E_DEVICE_DISABLED: { message: 'device is disabled: %s', http: 403, exit: 1 },
  EARSHOT_E_DEVICE_KEY_INVALID: { message: 'not an Ed25519 public key (SubjectPublicKeyInfo PEM): %s', http: 400, exit: 2 },
  EARSHOT_E_DEVICE_KEY_PINNED: { message: 'device already has a pinned public key: %s', http: 409, exit: 2 },
  EARSHOT_E_AUTH_FAILED: { message: 'device authentication failed: %s', http: 401, exit: 1 },
  EARSHOT_E_PUBLISH_FORBIDDEN: { message: 'publish refused: %s', http: 403, exit: 1 },
  EARSHOT_E_SUBSCRIBE_FORBIDDEN: { message: 'subscribe refused: %s', http: 403, exit: 1 },
  EARSHOT_E_PACKET_TOO_LARGE: { message: 'MQTT packet over the size limit: %s', http: 413, exit: 2 },
  EARSHOT_E_CONNECT_THROTTLED: { message: 'too many failed CONNECTs, refused without a check: %s', http: 429, exit: 1 },
  EARSHOT_E_CONNECTIONS_FULL: { message: 'too many connections not yet authenticated: %s', http: 503, exit: 1 },
  EARSHOT_E_CONNECT_DEADLINE: { message: 'no authenticated CONNECT in time, connection closed: %s', http: 408, exit: 1 },
  EARSHOT_E_MQTT_PLAINTEXT_EXPOSED: { message: 'MQTT without TLS on a non-loopback address: %s', http: 500, exit: 2 },
  // External broker mode (DESIGN §8, ingest/src/broker-client/).
  EARSHOT_E_BROKER_UNREACHABLE: { message: 'the MQTT broker could not be reached: %s', http: 503, exit: 1 },
  EARSHOT_E_BROKER_REFUSED: { message: 'the MQTT broker refused the ingest account: %s', http: 502, exit: 1 },
  EARSHOT_E_BROKER_ACCOUNTS_FAILED: { message: 'the broker did not make the device account change: %s', http: 502, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
