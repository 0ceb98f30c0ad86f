/**
 * The retained config each device gets on earshot/v1/<id>/config (DESIGN §4):
 * the service's nuisance rules, and the audio mode of the device's current
 * deployment — `off` when it is not deployed, so an undeployed monitor keeps no
 * audio at all. A new version is published whenever that changes (a deployment
 * started or ended, the rules edited); the device reports accept/reject in its
 * next status. Every version published is kept (device_config_history) and
 * entered in the evidence log as a `device-config` leaf, so a court bundle can
 * show the rules that were in force at each time (issue 10).
 *
 * This runs every few seconds for the whole fleet, so the rules are validated
 * once and each device costs two prepared-statement lookups.
 */
import { type AudioMode, type RemoteConfig, parseRemoteConfig } from '@earshot/shared';
import type { Ingest } from './open-ingest.ts';
import type { Settings } from './settings.ts';

interface StoredConfig {
  version: number;
  config: string;
}

export interface DeviceConfigs {
  /** The config to publish to a device now, or null when it already has this one. Versions only increase. */
  next(deviceId: string, nowMs: number): RemoteConfig | null;
  /** The config last published to a device (to publish again after a broker restart). */
  current(deviceId: string): RemoteConfig | null;
}

export function createDeviceConfigs(ingest: Ingest, settings: Settings): DeviceConfigs {
  const base = parseRemoteConfig({ version: 0, rules: settings.rules, bands: 'third-octave' }); // issue 16: deployments measure bands
  if (!base.ok) throw new Error(`the service's rules do not form a device config: ${base.error.detail}`);
  const { version: _v, ...common } = base.config;
  // One body per audio mode, made once: what a device should run depends only on its deployment.
  const bodies = new Map<AudioMode, { want: Omit<RemoteConfig, 'version'>; text: string }>();
  for (const mode of ['off', 'button-only', 'on-event'] as const) {
    const want = { ...common, audio: { ...common.audio, mode } };
    bodies.set(mode, { want, text: JSON.stringify(want) });
  }
  const get = ingest.db.prepare<[string], StoredConfig>('SELECT version, config FROM device_configs WHERE device = ?');
  const put = ingest.db.prepare<[string, number, string, number]>(
    'INSERT INTO device_configs (device, version, config, published_at) VALUES (?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET version = excluded.version, config = excluded.config, published_at = excluded.published_at',
  );
  const history = ingest.db.prepare<[string, number, string, number, number]>(
    'INSERT INTO device_config_history (device, version, config, published_ms, leaf_index) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const publish = ingest.db.transaction((deviceId: string, version: number, text: string, want: Omit<RemoteConfig, 'version'>, nowMs: number, caseRef: string | null) => {
    put.run(deviceId, version, text, nowMs);
    const at = new Date(nowMs).toISOString();
    const { leafIndex } = ingest.log.append({
      v: 1, kind: 'device-config', recordedAt: at, caseRef,
      data: { deviceId, version, publishedAt: at, config: JSON.parse(JSON.stringify(want)) as Record<string, never> },
    });
    history.run(deviceId, version, text, nowMs, leafIndex);
  });
  return {
    next(deviceId, nowMs) {
      const a = ingest.attach(deviceId, nowMs);
      const { want, text } = bodies.get(a.attached ? a.audioMode : 'off')!;
      const last = get.get(deviceId);
      if (last !== undefined && last.config === text) return null;
      const version = (last?.version ?? 0) + 1;
      publish.immediate(deviceId, version, text, want, nowMs, a.attached ? a.caseRef : null);
      return { version, ...want };
    },
    current(deviceId) {
      const last = get.get(deviceId);
      if (last === undefined) return null;
      return { version: last.version, ...(JSON.parse(last.config) as Omit<RemoteConfig, 'version'>) };
    },
  };
}
