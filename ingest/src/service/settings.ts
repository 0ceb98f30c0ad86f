/**
 * The ingest service's settings: `earshot serve --config FILE` (JSON) over
 * defaults, with the InfluxDB sink from the environment (INFLUX_*). Validated
 * with zod at start; a bad setting stops the service with EARSHOT_E_CONFIG_INVALID.
 */
import { readJsonFile } from './read-json-file.ts';
import { hostname } from 'node:os';
import { EarshotError, Rule, describeIssues } from '@earshot/shared';
import { z } from 'zod';
import { AlertConfig } from '../alerts/config.ts';
import { LowFrequencySettings } from '../export/bands-criterion.ts';

/**
 * Rules a deployment runs unless the service's settings say otherwise: the Noise
 * Act night rule with its statutory figures, bass music, impulsive noise (door
 * slams, shouting) and a rise over the background.
 */
export const DEFAULT_RULES: z.input<typeof Rule>[] = [
  { type: 'noise-act-night', id: 'noise-act-night' },
  { type: 'low-frequency', id: 'bass', lcThresholdDb: 50, deltaDb: 15, windowSeconds: 60 },
  { type: 'impulsive', id: 'impulsive', thresholdDb: 70 },
  { type: 'background-relative', id: 'over-background', deltaDb: 10, windowSeconds: 300, backgroundWindowSeconds: 1_800 },
];

export const Settings = z.strictObject({
  mqtt: z.strictObject({
    /**
     * Default: 127.0.0.1 without TLS (device secrets must not cross a network in
     * the clear), every interface (0.0.0.0) with TLS (issue 11). Set it to listen
     * elsewhere; plaintext on a non-loopback address is warned about at start.
     */
    host: z.string().optional(),
    port: z.number().int().min(0).max(65_535).default(1883),
    /** PEM files: with both, the broker speaks MQTT over TLS (mqtts). */
    tlsCertFile: z.string().optional(),
    tlsKeyFile: z.string().optional(),
    /** How devices dial the broker, printed by `earshot device add` (default mqtt[s]://<this host>:<port>). */
    publicUrl: z.string().regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/).optional(),
    /**
     * External broker mode (DESIGN §8, broker-client/target.ts; EARSHOT_BROKER_URL, EARSHOT_BROKER_ACCOUNT and
     * EARSHOT_BROKER_CLIENT_ID override): no embedded broker. No credentials in the URL: they go in the account file.
     */
    brokerUrl: z.string().regex(/^mqtts?:\/\/[^\s/@]+:\d+\/?$/, 'mqtt://HOST:PORT or mqtts://HOST:PORT, no user or password (those go in the account file)').optional(),
    brokerAccountFile: z.string().min(1).optional(),
    brokerClientId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/).optional(),
    /**
     * Broker sessions this process consumes on (broker-client/target.ts: default 8); each holds one message at a time, so several
     * let messages commit together: 1 → 8 took a 3,000-message backlog from 200–380 to 950–1,430 messages/s on a loaded 2-core machine.
     */
    brokerConnections: z.number().int().min(1).max(128).optional(),
  }).default({ port: 1883 }),
  http: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8080),
    /** How residents' phones reach the web view (behind the TLS proxy), for their diary links (issue 13, DESIGN §6b); default http://<host>:<port>. */
    publicUrl: z.string().regex(/^https?:\/\/[^\s/#?]+(\/[^\s#?]*)?$/).optional(),
  }).default({ host: '127.0.0.1', port: 8080 }),
  alerts: AlertConfig.prefault({}),
  /** The nuisance rules sent to deployed devices (their retained config). */
  rules: z.array(Rule).max(32).default(DEFAULT_RULES.map((r) => Rule.parse(r))),
  /** Signed tree heads: at least this often while the log grows, and daily regardless. */
  treeHeadEveryMinutes: z.number().min(1).max(1_440).default(10),
  retention: z.strictObject({
    levelsDays: z.number().int().min(30).max(36_500).default(400),
    evidenceYearsAfterClose: z.number().int().min(1).max(100).default(7),
  }).default({ levelsDays: 400, evidenceYearsAfterClose: 7 }),
  /**
   * DESIGN §8: the store, as EARSHOT_STORE_URL gives it (which overrides this): unset = the SQLite file in the data folder.
   * Checked with the variable's rules when a command uses it (storage/store-url.ts), so a typing error names this setting.
   */
  store: z.strictObject({ url: z.string().optional() }).optional(),
  /** Issue 16: the low-frequency criterion curve the bundle compares bass events with (export/bands-criterion.ts); none by default. */
  lowFrequency: LowFrequencySettings.optional(),
}).refine((s) => (s.mqtt.tlsCertFile === undefined) === (s.mqtt.tlsKeyFile === undefined), { message: 'give both tlsCertFile and tlsKeyFile, or neither', path: ['mqtt'] })
  .transform((s) => ({ ...s, mqtt: { ...s.mqtt, host: s.mqtt.host ?? (s.mqtt.tlsCertFile === undefined ? '127.0.0.1' : '0.0.0.0') } }));
export type Settings = z.output<typeof Settings>;

/** RFC 1122 §3.2.1.3 (127/8) and RFC 4291 §2.5.3 (::1): only this machine reaches them. */
export function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost' || /^::ffff:127\./i.test(host);
}

/** The start-up warning for a broker that takes device secrets in the clear from other machines, or null. */
export function mqttExposureWarning(s: Settings): string | null {
  if (s.mqtt.tlsCertFile !== undefined || isLoopback(s.mqtt.host)) return null;
  return `the MQTT broker listens on ${s.mqtt.host}:${s.mqtt.port} without TLS: device secrets and home audio cross the network in plaintext. `
    + 'Give mqtt.tlsCertFile and mqtt.tlsKeyFile, or listen on 127.0.0.1 behind a TLS proxy.';
}

/** The environment's broker variables over the file's (DESIGN §8), validated with it. */
const BROKER_ENV = { EARSHOT_BROKER_URL: 'brokerUrl', EARSHOT_BROKER_ACCOUNT: 'brokerAccountFile', EARSHOT_BROKER_CLIENT_ID: 'brokerClientId' } as const;

function withBrokerEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const set = Object.entries(BROKER_ENV).filter(([k]) => (env[k] ?? '') !== '');
  if (set.length === 0 || typeof raw !== 'object' || raw === null) return raw;
  const r = raw as { mqtt?: unknown };
  const mqtt = typeof r.mqtt === 'object' && r.mqtt !== null ? { ...r.mqtt } as Record<string, unknown> : {};
  for (const [k, field] of set) mqtt[field] = env[k];
  return { ...r, mqtt };
}

export function loadSettings(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Settings {
  const raw: unknown = file === undefined ? {} : readJsonFile(file);
  const parsed = Settings.safeParse(withBrokerEnv(raw, env));
  if (!parsed.success) throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `${file ?? 'settings'}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The address devices are told to dial. */
export function publicMqttUrl(s: Settings): string {
  if (s.mqtt.publicUrl !== undefined) return s.mqtt.publicUrl;
  if (s.mqtt.brokerUrl !== undefined) return s.mqtt.brokerUrl.replace(/\/$/, '');
  const scheme = s.mqtt.tlsCertFile === undefined ? 'mqtt' : 'mqtts';
  const host = s.mqtt.host === '0.0.0.0' || s.mqtt.host === '::' ? hostname() : s.mqtt.host;
  return `${scheme}://${host}:${s.mqtt.port}`;
}

/** The address residents' diary links point at (DESIGN §6b: a page on the service's HTTP address). */
export function publicHttpUrl(s: Settings): string {
  if (s.http.publicUrl !== undefined) return s.http.publicUrl.replace(/\/+$/, '');
  const host = s.http.host === '0.0.0.0' || s.http.host === '::' ? hostname() : s.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${s.http.port}`;
}
