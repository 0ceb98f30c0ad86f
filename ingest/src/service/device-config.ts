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
 * This runs every few seconds for the whole fleet (issue 19: at 10,000 monitors
 * it was 7 % of the service's CPU as two lookups per device), so the rules are
 * validated once, what every device should run now is one query
 * (cases/deployed-now.ts), and what each was last sent is kept in memory: a
 * device costs a map lookup unless its config changes.
 */
import type { AudioMode, RemoteConfig } from '@earshot/shared';
import { createDeployedAt } from '../cases/deployed-now.ts';
import { type ConfigBody, configBodies, deviceConfigLeaf, storedConfig } from './config-bodies.ts';
import type { Ingest } from './open-ingest.ts';
import type { Settings } from './settings.ts';

interface StoredConfig {
  version: number;
  config: string;
}

export interface DeviceConfigs {
  /** The config to publish to a device now, or null when it already has this one. Versions only increase. */
  next(deviceId: string, nowMs: number): RemoteConfig | null;
  /**
   * The same for many devices at one moment: `publish` is called, in order, for each whose config changes (stored and
   * logged before the call). One query for the fleet; returns when every device has been looked at.
   */
  sweep(deviceIds: readonly string[], nowMs: number, publish: (deviceId: string, config: RemoteConfig) => void): void;
  /** The config last published to a device (to publish again after a broker restart). */
  current(deviceId: string): RemoteConfig | null;
}

export function createDeviceConfigs(ingest: Ingest, settings: Settings): DeviceConfigs {
  // One body per audio mode, made once: what a device should run depends only on its deployment.
  const bodies = configBodies(settings);
  const get = ingest.db.prepare<[string], StoredConfig>('SELECT version, config FROM device_configs WHERE device = ?');
  const put = ingest.db.prepare<[string, number, string, number]>(
    'INSERT INTO device_configs (device, version, config, published_at) VALUES (?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET version = excluded.version, config = excluded.config, published_at = excluded.published_at',
  );
  const history = ingest.db.prepare<[string, number, string, number, number]>(
    'INSERT INTO device_config_history (device, version, config, published_ms, leaf_index) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const publish = ingest.db.transaction((deviceId: string, version: number, text: string, want: ConfigBody, nowMs: number, caseRef: string | null) => {
    put.run(deviceId, version, text, nowMs);
    const { leafIndex } = ingest.log.append(deviceConfigLeaf(deviceId, version, want, nowMs, caseRef));
    history.run(deviceId, version, text, nowMs, leafIndex);
  });
  // What each device was last sent, as stored (only this service publishes configs).
  const sent = new Map<string, StoredConfig>();
  for (const r of ingest.db.prepare<[], StoredConfig & { device: string }>('SELECT device, version, config FROM device_configs').all()) sent.set(r.device, { version: r.version, config: r.config });
  const deployedAt = createDeployedAt(ingest.db);
  const publishIfChanged = (deviceId: string, mode: AudioMode, caseRef: string | null, nowMs: number): RemoteConfig | null => {
    const { want, text } = bodies.get(mode)!;
    if (sent.get(deviceId)?.config === text) return null;
    // About to change: the stored row decides (another DeviceConfigs on this store may have published since this map was read).
    const last = get.get(deviceId);
    if (last !== undefined && last.config === text) {
      sent.set(deviceId, last);
      return null;
    }
    const version = (last?.version ?? 0) + 1;
    publish.immediate(deviceId, version, text, want, nowMs, caseRef);
    sent.set(deviceId, { version, config: text });
    return { version, ...want };
  };
  return {
    next(deviceId, nowMs) {
      const a = ingest.attach(deviceId, nowMs);
      return a.attached ? publishIfChanged(deviceId, a.audioMode, a.caseRef, nowMs) : publishIfChanged(deviceId, 'off', null, nowMs);
    },
    sweep(deviceIds, nowMs, send) {
      const deployed = deployedAt(nowMs);
      for (const id of deviceIds) {
        const d = deployed.get(id);
        const c = publishIfChanged(id, d?.audioMode ?? 'off', d?.caseRef ?? null, nowMs);
        if (c !== null) send(id, c);
      }
    },
    current(deviceId) {
      const last = sent.get(deviceId);
      return last === undefined ? null : storedConfig(last.version, last.config);
    },
  };
}
