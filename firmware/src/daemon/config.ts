/**
 * The monitor's own config file (`earshot-device run --config FILE`), written by
 * `earshot-device provision` and edited by the installer for the capture source
 * and the button/LED. Relative paths are taken from the file's folder. The
 * nuisance rules and audio mode come from the ingest's retained config topic;
 * `remote` here is only what applies until the first one arrives.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULT_FULL_SCALE_DB, DEVICE_ID_PATTERN, EarshotError, RemoteConfig, describeIssues } from '@earshot/shared';
import { z } from 'zod';
import { CaptureConfig } from '../capture/config.ts';
import { IoConfig } from '../io/config.ts';

export const DeviceConfig = z.strictObject({
  deviceId: z.string().regex(DEVICE_ID_PATTERN, 'a device id: [a-z0-9-]{3,64}'),
  secret: z.string().min(16),
  server: z.strictObject({
    url: z.string().regex(/^mqtts?:\/\//, 'mqtt://host:port or mqtts://host:port'),
    /** CA certificate file (PEM) for mqtts. */
    caFile: z.string().optional(),
    /** The ingest's public key (SPKI PEM), kept for checking its signed tree heads. */
    publicKeyPem: z.string().optional(),
  }),
  /** Journal, clips in waiting, keys, calibration, last remote config. */
  stateDir: z.string().default('state'),
  /** DESIGN §2 calibration until `calibrate` records one in the state folder. */
  fullScaleDb: z.number().min(0).max(250).default(DEFAULT_FULL_SCALE_DB),
  capture: CaptureConfig,
  /** Incident button and status LED (a Firmata board, a signal, a key, or none fitted). */
  io: IoConfig.default({ type: 'none' }),
  remote: RemoteConfig.default({ version: 0, rules: [], audio: { mode: 'on-event', preTriggerSeconds: 10, maxSeconds: 60, postRollSeconds: 5 }, levelsBatch: 10, heartbeatSeconds: 60, bands: 'off' }),
  outbox: z.strictObject({
    quotaBytes: z.number().int().min(1024 * 1024).default(256 * 1024 * 1024),
    /** Full disk (issue 18): bytes kept for the journal's small messages (firmware/src/outbox/journal-reserve.ts). */
    reserveBytes: z.number().int().min(0).optional(),
    /** Clips give way when free space falls under this (default 64 MiB: six 75 s clips of 48 kHz 24-bit audio). */
    clipReserveBytes: z.number().int().min(0).optional(),
    /** Level records held in memory while the disk is full, and how coarse they may be merged (firmware/src/outbox/memory-hold.ts). */
    holdRecords: z.number().int().min(10).max(1_000_000).optional(),
    holdMaxRecordSeconds: z.number().min(1).max(3_600).optional(),
  }).default({ quotaBytes: 256 * 1024 * 1024 }),
});
export type DeviceConfig = z.infer<typeof DeviceConfig>;
export type DeviceConfigInput = z.input<typeof DeviceConfig>;

export interface LoadedConfig {
  config: DeviceConfig;
  /** Absolute state folder. */
  stateDir: string;
  file: string;
}

export function parseDeviceConfig(raw: unknown, file: string): LoadedConfig {
  const parsed = DeviceConfig.safeParse(raw);
  if (!parsed.success) throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `${file}: ${describeIssues(parsed.error)}`);
  const base = dirname(resolve(file));
  const config = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  if (config.capture.type === 'wav') config.capture.files = config.capture.files.map(abs);
  if (config.server.caFile !== undefined) config.server.caFile = abs(config.server.caFile);
  return { config, stateDir: abs(config.stateDir), file: resolve(file) };
}

export function loadDeviceConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `${file} is not JSON: ${(e as Error).message}`);
  }
  return parseDeviceConfig(raw, file);
}
