/**
 * mqtt.js options for the device's connection (DESIGN §4): MQTT 3.1.1
 * (protocolVersion 4), clientId = username = device id, password = the device
 * secret, clean session false, TLS when the URL says mqtts. Pure.
 */
import type { IClientOptions } from 'mqtt';
import { DEVICE_ID_PATTERN, EarshotError } from '@earshot/shared';

export interface ConnectionSettings {
  /** mqtt://host:port or mqtts://host:port. */
  readonly url: string;
  readonly deviceId: string;
  readonly secret: string;
  /** CA certificate(s) (PEM) to trust for mqtts, when the server's is not from a public CA. */
  readonly caPem?: string;
  /** Seconds; the broker drops us after 1.5 × this without a packet [MQTT-3.1.2-24]. */
  readonly keepaliveSeconds?: number;
}

export const DEFAULT_KEEPALIVE_SECONDS = 60;

export function clientOptions(s: ConnectionSettings, reconnectPeriodMs: number): IClientOptions {
  if (!DEVICE_ID_PATTERN.test(s.deviceId)) throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `device id ${JSON.stringify(s.deviceId)} is not [a-z0-9-]{3,64}`);
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `broker URL ${JSON.stringify(s.url)}`);
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `broker URL must be mqtt:// or mqtts://, not ${url.protocol}`);
  const o: IClientOptions = {
    protocolVersion: 4, // MQTT 3.1.1 (DESIGN §4)
    clientId: s.deviceId,
    username: s.deviceId,
    password: s.secret,
    clean: false, // persistent session [MQTT-3.1.2-4]
    keepalive: s.keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS,
    reconnectPeriod: reconnectPeriodMs,
    connectTimeout: 30_000, // mqtt.js's default: CONNACK wait before the attempt counts as failed
    // The uplink subscribes to its config topic itself on every CONNACK.
    resubscribe: false,
    // A refused CONNACK (e.g. the device not yet added at the ingest) is retried with backoff, not fatal.
    reconnectOnConnackError: true,
  };
  if (url.protocol === 'mqtts:') {
    o.rejectUnauthorized = true;
    if (s.caPem !== undefined) o.ca = s.caPem;
  }
  return o;
}
