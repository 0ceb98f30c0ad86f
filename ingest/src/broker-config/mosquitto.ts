/**
 * A configuration for Debian's mosquitto 2.0 (DESIGN §8 "earshot broker config
 * mosquitto"): accounts and topic rights held by its dynamic-security plugin,
 * with the same rights as the embedded broker (ingest/src/broker/authorize-*.ts):
 * a device publishes only under its own topics and reads only its own config and
 * receipt; the ingest account reads every device topic (also through the shared
 * subscription), publishes configs and receipts, and manages the accounts over
 * the plugin's $CONTROL/dynamic-security/v1 topic. Pure: the CLI writes the files.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { TOPIC_ROOT } from '@earshot/shared';

/** The account `earshot serve` consumes with (EARSHOT_BROKER_URL). */
export const INGEST_USERNAME = 'earshot-ingest';
/** Each device has its own role (mosquitto 2.0.11's plugin substitutes no %u in ACL topics): `earshot-device-<id>`. */
export const deviceRole = (deviceId: string): string => `earshot-device-${deviceId}`;
export const INGEST_ROLE = 'earshot-ingest';
export const ADMIN_ROLE = 'earshot-accounts';
/** MQTT 3.1.1 shared subscription of DESIGN §8. */
export const SHARED_FILTER = `$share/earshot-ingest/${TOPIC_ROOT}/+/#`;
/** mosquitto's dynamic-security control topic (mosquitto.org/documentation/dynamic-security, "Usage"). */
export const DYNSEC_CONTROL = '$CONTROL/dynamic-security/v1';
/** Where Debian's mosquitto package puts the plugin, per architecture (`dpkg -L mosquitto`). */
export const DEBIAN_PLUGIN_PATHS: readonly string[] = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/arm-linux-gnueabihf/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
];
/** Above the largest message (ingest/src/broker/server.ts DEFAULT_MAX_PACKET_BYTES). */
export const MAX_PACKET_BYTES = 4 * 1024 * 1024;

interface Acl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern' | 'unsubscribeLiteral' | 'unsubscribePattern';
  topic: string;
  allow: boolean;
  priority?: number;
}

/**
 * A password as the plugin keeps it: PBKDF2-HMAC-SHA512, 64 bytes, a 12-byte salt,
 * both base64 (as `mosquitto_ctrl dynsec init` writes them). 101 iterations is
 * mosquitto's own default: the secrets are 256-bit random, so iterations add no
 * strength, while every (re)connect of a fleet pays them.
 */
export function dynsecPassword(password: string, iterations = 101): { password: string; salt: string; iterations: number } {
  const salt = randomBytes(12);
  return { password: pbkdf2Sync(password, salt, iterations, 64, 'sha512').toString('base64'), salt: salt.toString('base64'), iterations };
}

/** A device's role: publish under its own topics, subscribe to its own config and receipt (DESIGN §4, as the embedded broker). */
function deviceAcls(deviceId: string): Acl[] {
  const own = `${TOPIC_ROOT}/${deviceId}`;
  return [
    ...['levels', 'event', 'clip', 'clip/+/+', 'status'].map((t): Acl => ({ acltype: 'publishClientSend', topic: `${own}/${t}`, allow: true })),
    { acltype: 'subscribeLiteral', topic: `${own}/config`, allow: true },
    { acltype: 'subscribeLiteral', topic: `${own}/receipt`, allow: true },
  ];
}

function ingestAcls(): Acl[] {
  return [
    { acltype: 'subscribePattern', topic: SHARED_FILTER, allow: true },
    { acltype: 'subscribePattern', topic: `${TOPIC_ROOT}/+/#`, allow: true },
    { acltype: 'publishClientSend', topic: `${TOPIC_ROOT}/+/config`, allow: true },
    { acltype: 'publishClientSend', topic: `${TOPIC_ROOT}/+/receipt`, allow: true },
    // Its own configs and receipts are not handed back to it through the shared subscription (one each per commit).
    { acltype: 'publishClientReceive', topic: `${TOPIC_ROOT}/+/config`, allow: false },
    { acltype: 'publishClientReceive', topic: `${TOPIC_ROOT}/+/receipt`, allow: false },
  ];
}

function adminAcls(): Acl[] {
  return [
    { acltype: 'publishClientSend', topic: '$CONTROL/dynamic-security/#', allow: true },
    { acltype: 'publishClientReceive', topic: '$CONTROL/dynamic-security/#', allow: true },
    { acltype: 'subscribePattern', topic: '$CONTROL/dynamic-security/#', allow: true },
  ];
}

/** dynamic-security.json: the ingest account and the roles; devices are added through DYNSEC_CONTROL. */
export function dynsecConfig(ingestPassword: string): unknown {
  return {
    // Nothing is allowed unless a role says so; receiving is governed by what a client may subscribe to.
    defaultACLAccess: { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true },
    clients: [{ username: INGEST_USERNAME, textName: 'Earshot ingest service', roles: [{ rolename: INGEST_ROLE }, { rolename: ADMIN_ROLE }], ...dynsecPassword(ingestPassword) }],
    groups: [],
    roles: [
      { rolename: INGEST_ROLE, textname: 'Earshot ingest: every device topic', acls: ingestAcls() },
      { rolename: ADMIN_ROLE, textname: 'Earshot ingest: device accounts', acls: adminAcls() },
    ],
  };
}

export interface MosquittoConfOptions {
  port: number;
  host?: string;
  /** The account mosquitto runs as once started by root (mosquitto.conf(5) `user`): the owner of the files written, which are 0600. */
  user: string;
  dir: string;
  pluginPath: string;
}

/** mosquitto.conf (mosquitto.conf(5), mosquitto 2.0). */
export function mosquittoConf(o: MosquittoConfOptions): string {
  return [
    '# Written by `earshot broker config mosquitto` (Earshot DESIGN §8). Accounts and topic rights are in',
    '# dynamic-security.json, managed by the ingest service (earshot device add / disable / enable).',
    `listener ${o.port}${o.host === undefined ? '' : ` ${o.host}`}`,
    'protocol mqtt',
    'allow_anonymous false',
    `user ${o.user}`,
    `plugin ${o.pluginPath}`,
    `plugin_opt_config_file ${o.dir}/dynamic-security.json`,
    // Queued QoS 1 messages survive a broker restart; what a crash still loses, the stored receipts make the monitors resend (DESIGN §4).
    'persistence true',
    `persistence_location ${o.dir}/`,
    'autosave_interval 60',
    // The ingest's persistent session holds the fleet's messages while no ingest runs (mosquitto's default is 1000).
    'max_queued_messages 1000000',
    `max_packet_size ${MAX_PACKET_BYTES}`,
    'log_dest stdout',
    '',
  ].join('\n');
}

/** One request on DYNSEC_CONTROL. */
export interface DynsecRequest {
  readonly commands: readonly { readonly command: string; readonly [field: string]: unknown }[];
}

/** A device account and its role, as the ingest sends them on DYNSEC_CONTROL: username and client id = device id (DESIGN §4). */
export function createDeviceCommand(deviceId: string, secret: string): DynsecRequest {
  return {
    commands: [
      { command: 'createRole', rolename: deviceRole(deviceId), textname: `Earshot monitor ${deviceId}: its own topics only`, acls: deviceAcls(deviceId) },
      { command: 'createClient', username: deviceId, clientid: deviceId, password: secret, roles: [{ rolename: deviceRole(deviceId) }] },
    ],
  };
}

export function disableDeviceCommand(deviceId: string): DynsecRequest {
  return { commands: [{ command: 'disableClient', username: deviceId }] };
}

export function enableDeviceCommand(deviceId: string): DynsecRequest {
  return { commands: [{ command: 'enableClient', username: deviceId }] };
}
