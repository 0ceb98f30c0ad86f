/**
 * CONNECT: the client id must be a device id, the username must equal it, and
 * the password must be that device's secret (DESIGN §4); a disabled device is
 * refused. CONNACK return codes per MQTT 3.1.1 Table 3.1 [MQTT-3.2.2-5]: a
 * refused CONNECT gets a non-zero code and the connection is closed.
 */
import type { AuthenticateError, Client } from 'aedes';
import { DEVICE_ID_PATTERN } from '@earshot/shared';
import type { Logger } from 'pino';
import type { DeviceRegistry } from '../devices/registry.ts';

/** MQTT 3.1.1 §3.2.2.3 Table 3.1. */
export const CONNACK = { IDENTIFIER_REJECTED: 2, BAD_USERNAME_OR_PASSWORD: 4, NOT_AUTHORIZED: 5 } as const;

function refusal(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export function createAuthenticate(registry: DeviceRegistry, logger: Logger) {
  return (client: Client, username: Readonly<string | undefined>, password: Readonly<Buffer | undefined>, done: (error: AuthenticateError | null, success: boolean | null) => void): void => {
    const id = client.id;
    const refuse = (code: 2 | 4 | 5, reason: string, errorCode: string): void => {
      logger.warn({ clientId: id, code: errorCode, reason }, 'connection refused');
      done(refusal(code, reason), false);
    };
    if (!DEVICE_ID_PATTERN.test(id)) return refuse(CONNACK.IDENTIFIER_REJECTED, 'client id is not a device id', 'EARSHOT_E_DEVICE_ID_INVALID');
    if (username !== id) return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'username must equal the client id', 'EARSHOT_E_AUTH_FAILED');
    registry.checkCredentials(id, password).then((r) => {
      if (r === 'ok') {
        logger.info({ clientId: id }, 'device connected');
        done(null, true);
      } else if (r === 'disabled') {
        refuse(CONNACK.NOT_AUTHORIZED, 'device is disabled', 'EARSHOT_E_DEVICE_DISABLED');
      } else {
        refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, r === 'unknown' ? 'unknown device' : 'wrong secret', 'EARSHOT_E_AUTH_FAILED');
      }
    }, (e: unknown) => {
      logger.error({ err: e, clientId: id }, 'authentication failed to run');
      done(refusal(3, 'server unavailable'), false);
    });
  };
}
