/**
 * CONNECT: the client id must be a device id, the username must equal it, and
 * the password must be that device's secret (DESIGN §4); a disabled device is
 * refused. CONNACK return codes per MQTT 3.1.1 Table 3.1 [MQTT-3.2.2-5]: a
 * refused CONNECT gets a non-zero code and the connection is closed.
 *
 * Under attack (issue 11): an address that has spent its failure budget is
 * refused unchecked (and backed off, see connection-gate.ts); a device id whose
 * stored secret is an older scrypt hash may cause only a few failed slow checks;
 * everything else costs one keyed hash, about a microsecond.
 */
import type { AuthenticateError, Client } from 'aedes';
import { DEVICE_ID_PATTERN } from '@earshot/shared';
import type { Logger } from 'pino';
import type { DeviceRegistry } from '../devices/registry.ts';
import { ConnectionGate } from './connection-gate.ts';
import { GuardedConnection } from './frame-guard.ts';

/** MQTT 3.1.1 §3.2.2.3 Table 3.1. */
export const CONNACK = { IDENTIFIER_REJECTED: 2, SERVER_UNAVAILABLE: 3, BAD_USERNAME_OR_PASSWORD: 4, NOT_AUTHORIZED: 5 } as const;

function refusal(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** "device connected" lines a second; beyond, the devices are counted and one line a second says how many (a fleet readmitted at once). */
export const CONNECTED_LINES_PER_SECOND = 20;

function connectionLog(logger: Logger, now: () => number): (id: string) => void {
  let second = 0;
  let lines = 0;
  let more = 0;
  let summary: NodeJS.Timeout | null = null;
  const sum = (): void => {
    summary = null;
    if (more > 0) logger.info({ devices: more, lastClientId: last }, 'devices connected');
    more = 0;
  };
  let last = '';
  return (id) => {
    const s = Math.floor(now() / 1000);
    if (s !== second) {
      second = s;
      lines = 0;
    }
    if (lines < CONNECTED_LINES_PER_SECOND) {
      lines++;
      logger.info({ clientId: id }, 'device connected');
      return;
    }
    more++;
    last = id;
    if (summary === null) {
      summary = setTimeout(sum, 1_000);
      summary.unref();
    }
  };
}

export function createAuthenticate(registry: DeviceRegistry, logger: Logger, gate: ConnectionGate = new ConnectionGate(), now: () => number = Date.now) {
  // One warning per address per back-off, not one per refused socket: a flood must not flood the log too.
  const warned = new Map<string, number>();
  const connected = connectionLog(logger, now);
  return (client: Client, username: Readonly<string | undefined>, password: Readonly<Buffer | undefined>, done: (error: AuthenticateError | null, success: boolean | null) => void): void => {
    const id = client.id;
    const conn = client.conn instanceof GuardedConnection ? client.conn : null;
    const remote = conn?.remote ?? 'unknown';
    const refuse = (code: 2 | 3 | 4 | 5, reason: string, errorCode: string, failed: boolean): void => {
      const backoffMs = failed ? gate.failed(remote, now()) : 0;
      if (backoffMs > 0) {
        logger.warn({ clientId: id, remote, code: 'EARSHOT_E_CONNECT_THROTTLED', backoffMs }, 'failed CONNECT budget spent: address backed off');
      } else if (failed && (warned.get(remote) ?? 0) > now()) {
        logger.debug({ clientId: id, remote, code: errorCode, reason }, 'connection refused');
      } else {
        logger.warn({ clientId: id, remote, code: errorCode, reason }, 'connection refused');
      }
      if (backoffMs > 0) warned.set(remote, now() + backoffMs);
      if (warned.size > 10_000) warned.delete(warned.keys().next().value as string);
      done(refusal(code, reason), false);
    };
    const t = now();
    if (!gate.mayTry(remote, t)) return refuse(CONNACK.NOT_AUTHORIZED, 'too many failed CONNECTs from this address', 'EARSHOT_E_CONNECT_THROTTLED', true);
    if (!DEVICE_ID_PATTERN.test(id)) return refuse(CONNACK.IDENTIFIER_REJECTED, 'client id is not a device id', 'EARSHOT_E_DEVICE_ID_INVALID', true);
    if (username !== id) return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'username must equal the client id', 'EARSHOT_E_AUTH_FAILED', true);
    // The budget is looked at first: only an id that has spent it costs the registry a look at its hash's kind.
    if (!gate.mayCheckSlowly(id, t) && registry.needsSlowCheck(id)) return refuse(CONNACK.SERVER_UNAVAILABLE, 'too many failed checks for this device id; try later', 'EARSHOT_E_CONNECT_THROTTLED', true);
    registry.checkCredentials(id, password).then((r) => {
      if (r === 'ok') {
        conn?.markAuthenticated();
        connected(id);
        done(null, true);
      } else if (r === 'disabled') {
        refuse(CONNACK.NOT_AUTHORIZED, 'device is disabled', 'EARSHOT_E_DEVICE_DISABLED', false);
      } else if (r === 'busy') {
        refuse(CONNACK.SERVER_UNAVAILABLE, 'too many checks waiting; try later', 'EARSHOT_E_CONNECT_THROTTLED', false);
      } else {
        // A failed check leaves an older hash as it was: needsSlowCheck says whether this one was slow.
        if (r === 'bad-secret' && registry.needsSlowCheck(id)) gate.slowCheckFailed(id, now());
        refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, r === 'unknown' ? 'unknown device' : 'wrong secret', 'EARSHOT_E_AUTH_FAILED', true);
      }
    }, (e: unknown) => {
      logger.error({ err: e, clientId: id }, 'authentication failed to run');
      done(refusal(3, 'server unavailable'), false);
    });
  };
}
