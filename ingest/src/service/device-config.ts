/**
 * The retained config each device gets on earshot/v1/<id>/config (DESIGN §4):
 * the service's nuisance rules, and the audio mode of the device's current
 * deployment — `off` when it is not deployed, so an undeployed monitor keeps no
 * audio at all. A new version is published whenever that changes (a deployment
 * started or ended, the rules edited); the device reports accept/reject in its
 * next status.
 */
import { type RemoteConfig, parseRemoteConfig } from '@earshot/shared';
import type { Ingest } from './open-ingest.ts';
import type { Settings } from './settings.ts';

interface StoredConfig {
  version: number;
  config: string;
}

/** What the device should run now, without a version (the version is assigned when it changes). */
export function desiredConfig(ingest: Ingest, settings: Settings, deviceId: string, nowMs: number): Omit<RemoteConfig, 'version'> {
  const a = ingest.attach(deviceId, nowMs);
  const parsed = parseRemoteConfig({ version: 0, rules: settings.rules, audio: { mode: a.attached ? a.audioMode : 'off' } });
  if (!parsed.ok) throw new Error(`the service's rules do not form a device config: ${parsed.error.detail}`);
  const { version: _v, ...rest } = parsed.config;
  return rest;
}

/**
 * The config to publish to a device, or null when it already has this one.
 * Versions only increase; the stored row records what was published last.
 */
export function nextConfig(ingest: Ingest, settings: Settings, deviceId: string, nowMs: number): RemoteConfig | null {
  const want = desiredConfig(ingest, settings, deviceId, nowMs);
  const body = JSON.stringify(want);
  const last = ingest.db.prepare<[string], StoredConfig>('SELECT version, config FROM device_configs WHERE device = ?').get(deviceId);
  if (last !== undefined && last.config === body) return null;
  const version = (last?.version ?? 0) + 1;
  ingest.db.prepare('INSERT INTO device_configs (device, version, config, published_at) VALUES (?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET version = excluded.version, config = excluded.config, published_at = excluded.published_at')
    .run(deviceId, version, body, nowMs);
  return { version, ...want };
}

/** The config last published to a device (to publish again after a broker restart). */
export function currentConfig(ingest: Ingest, deviceId: string): RemoteConfig | null {
  const last = ingest.db.prepare<[string], StoredConfig>('SELECT version, config FROM device_configs WHERE device = ?').get(deviceId);
  if (last === undefined) return null;
  return { version: last.version, ...(JSON.parse(last.config) as Omit<RemoteConfig, 'version'>) };
}
