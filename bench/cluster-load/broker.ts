/**
 * Debian's mosquitto for the fleet bench, in its own process: the production
 * limits of `earshot broker config mosquitto` (ingest/src/broker-config/mosquitto.ts)
 * and the same topic rights, but kept in an ACL file instead of the
 * dynamic-security plugin, so 10,000 device accounts need not be made over
 * $CONTROL first. No password file: any username is let in (mosquitto.conf(5)
 * allow_anonymous with no password_file or plugin), and the rights follow the
 * username (`pattern … %u`), which the simulated monitors set to their id as
 * real ones do (DESIGN §4). The ingest's account is told it does not receive
 * configs and receipts back, as the plugin's role says.
 */
import { spawn } from 'node:child_process';
import { chmodSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INGEST_USERNAME, MAX_PACKET_BYTES } from '../../ingest/src/broker-config/mosquitto.ts';
import { freePort, MOSQUITTO, stopChild, waitListening } from '../ingest-load/peers.ts';

export { freePort, MOSQUITTO } from '../ingest-load/peers.ts';

export interface Broker {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** The ingest's account file (`{"username","password"}`: accounts "external", the default). */
  readonly accountFile: string;
  stop(): Promise<void>;
}

/** mosquitto.conf(5) acl_file: `user` lines bind what follows to that username; `pattern` lines apply to every client. */
function aclFile(): string {
  const device = ['levels', 'event', 'clip', 'clip/+/+', 'status'];
  return [
    `user ${INGEST_USERNAME}`,
    // `read` is what the shared subscription delivers; config and receipt are left out, so they do not come back.
    ...device.map((t) => `topic read earshot/v1/+/${t}`),
    'topic write earshot/v1/+/config',
    'topic write earshot/v1/+/receipt',
    '',
    // Every device publishes under its own id only and reads only its own config and receipt (broker/authorize-*.ts).
    ...device.map((t) => `pattern write earshot/v1/%u/${t}`),
    'pattern read earshot/v1/%u/config',
    'pattern read earshot/v1/%u/receipt',
    '',
  ].join('\n');
}

/** A fresh mosquitto (no persistence: no session or queue left from an earlier step) on a free loopback port. */
export async function startBroker(dir: string): Promise<Broker> {
  // Started as root, mosquitto runs as its own account (mosquitto.conf(5) `user`) before it opens the ACL file:
  // the folder must be readable to it (its parents traversable), or it exits with "Unable to open acl_file".
  chmodSync(dir, 0o755);
  const port = await freePort();
  const acl = join(dir, 'mosquitto.acl');
  writeFileSync(acl, aclFile());
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `acl_file ${acl}`,
    'persistence false',
    // As `earshot broker config mosquitto` writes them: the ingest's queues never overflow, clip chunks fit.
    'max_queued_messages 1000000',
    `max_packet_size ${MAX_PACKET_BYTES}`,
    // mosquitto's default, written out: mqtt.js holds one message per ingest connection until its commit anyway
    // (broker-client/connection.ts), so a larger window would only park messages in that connection's socket.
    'max_inflight_messages 20',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n'));
  const accountFile = join(dir, 'ingest-account.json');
  writeFileSync(accountFile, JSON.stringify({ username: INGEST_USERNAME, password: 'bench-no-password-file' }), { mode: 0o600 });
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', openSync(join(dir, 'mosquitto.log'), 'a')] });
  await waitListening(port, child);
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid!,
    accountFile,
    stop: () => stopChild(child),
  };
}
