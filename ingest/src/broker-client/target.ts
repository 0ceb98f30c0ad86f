/**
 * Where `earshot serve` finds its external broker (DESIGN §8) and how it logs in.
 *
 * - The address: `mqtt.brokerUrl` in the settings, or EARSHOT_BROKER_URL
 *   (service/settings.ts puts the variable there). mqtt:// or mqtts://; an
 *   mqtts broker's certificate is checked against Node's CAs (a private CA:
 *   NODE_EXTRA_CA_CERTS=ca.pem).
 * - The account: a JSON file, never the URL, the settings or the command line,
 *   so the password is in no process listing, shell history or log —
 *   `mqtt.brokerAccountFile` or EARSHOT_BROKER_ACCOUNT, e.g. the
 *   `ingest-account.json` (mode 0600) that `earshot broker config mosquitto`
 *   writes: `{"username","password","accounts"?}`. `accounts` says who keeps the
 *   device accounts: "mosquitto-dynamic-security" (Earshot drives mosquitto's
 *   plugin on `earshot device add/disable/enable`) or "external" (the default:
 *   another broker's own authentication, docs/fleet.md).
 * - The client id: `mqtt.brokerClientId` or EARSHOT_BROKER_CLIENT_ID, default
 *   `earshot-ingest-<host name>`. It names the persistent session that holds
 *   this process's messages while it is down, so it must stay the same across
 *   restarts and differ between processes.
 */
import { readJsonFile } from '../service/read-json-file.ts';
import { hostname } from 'node:os';
import { describeIssues, EarshotError } from '@earshot/shared';
import { z } from 'zod';
import type { Settings } from '../service/settings.ts';

export const BrokerAccount = z.object({
  /** The address the account was written for (informational: the settings say where to connect). */
  url: z.string().optional(),
  username: z.string().min(1),
  password: z.string().min(1),
  accounts: z.enum(['mosquitto-dynamic-security', 'external']).default('external'),
});
export type BrokerAccount = z.output<typeof BrokerAccount>;

export interface BrokerTarget {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
  readonly accounts: BrokerAccount['accounts'];
  /** Connections (sessions) this process consumes on: `<clientId>`, `<clientId>-2`, … */
  readonly connections: number;
}

/** Broker sessions per process: each holds one message at a time (connection.ts), eight let batches commit together (docs/fleet.md). */
export const DEFAULT_CONNECTIONS = 8;

/** MQTT 3.1.1 §3.1.3.1 lets a server refuse client ids over 23 characters; mosquitto, EMQX, HiveMQ and VerneMQ take longer ones. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export function defaultClientId(host: string = hostname()): string {
  const safe = host.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100);
  return `earshot-ingest-${safe.length === 0 ? 'host' : safe}`;
}

export function readBrokerAccount(file: string): BrokerAccount {
  const raw = readJsonFile(file, { secret: true });
  const parsed = BrokerAccount.safeParse(raw);
  // The issues name fields only, never a value: the file holds a password.
  if (!parsed.success) throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `${file}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Broker sessions per process on PostgreSQL: a commit there takes milliseconds, not tens of microseconds, and each
 * session holds one message until its commit, so a batch is at most as large as the sessions. bench/cluster-load.ts,
 * 10,000 monitors offering 1,170 messages/s to one process: 8 sessions stored 429/s (a commit every 18.6 ms), 32
 * stored 1,094/s (every 29 ms) with the queue growing.
 */
export const POSTGRES_CONNECTIONS = 64;

/** The external broker to consume from, or null for the embedded broker; `connections` when the settings name none. */
export function brokerTarget(s: Settings, defaultConnections: number = DEFAULT_CONNECTIONS): BrokerTarget | null {
  const url = s.mqtt.brokerUrl;
  if (url === undefined) return null;
  const file = s.mqtt.brokerAccountFile;
  if (file === undefined) {
    throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `mqtt.brokerUrl ${url} needs the ingest's broker account: EARSHOT_BROKER_ACCOUNT=FILE or mqtt.brokerAccountFile (the ingest-account.json \`earshot broker config mosquitto\` writes)`);
  }
  const account = readBrokerAccount(file);
  return { url, username: account.username, password: account.password, clientId: s.mqtt.brokerClientId ?? defaultClientId(), accounts: account.accounts, connections: s.mqtt.brokerConnections ?? defaultConnections };
}
