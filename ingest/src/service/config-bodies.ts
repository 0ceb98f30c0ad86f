/**
 * What a device config says, on either store (service/device-config.ts on
 * SQLite, storage/postgres/device-configs.ts): the service's rules validated
 * once into one body per audio mode — what a device should run depends only on
 * its deployment — the stored text of each, and the `device-config` evidence
 * leaf of a published version. Both stores build them here, so the same
 * deployments give the same configs and the same leaf bytes.
 */
import { type AudioMode, type RemoteConfig, parseRemoteConfig } from '@earshot/shared';
import type { EvidenceLeaf } from '../evidence/leaf.ts';
import type { Settings } from './settings.ts';

export type ConfigBody = Omit<RemoteConfig, 'version'>;

export interface ModeBody {
  readonly want: ConfigBody;
  /** As stored in device_configs.config and compared with what a device was last sent. */
  readonly text: string;
}

export type ConfigBodies = ReadonlyMap<AudioMode, ModeBody>;

export function configBodies(settings: Settings): ConfigBodies {
  const base = parseRemoteConfig({ version: 0, rules: settings.rules, bands: 'third-octave' }); // issue 16: deployments measure bands
  if (!base.ok) throw new Error(`the service's rules do not form a device config: ${base.error.detail}`);
  const { version: _v, ...common } = base.config;
  const bodies = new Map<AudioMode, ModeBody>();
  for (const mode of ['off', 'button-only', 'on-event'] as const) {
    const want = { ...common, audio: { ...common.audio, mode } };
    bodies.set(mode, { want, text: JSON.stringify(want) });
  }
  return bodies;
}

/** The evidence leaf of version `version` published to a device at nowMs (issue 10: the rules in force at each time). */
export function deviceConfigLeaf(deviceId: string, version: number, want: ConfigBody, nowMs: number, caseRef: string | null): EvidenceLeaf {
  const at = new Date(nowMs).toISOString();
  return {
    v: 1, kind: 'device-config', recordedAt: at, caseRef,
    data: { deviceId, version, publishedAt: at, config: JSON.parse(JSON.stringify(want)) as Record<string, never> },
  };
}

/** A stored config (device_configs' version and text) as the device gets it. */
export function storedConfig(version: number, text: string): RemoteConfig {
  return { version, ...(JSON.parse(text) as ConfigBody) };
}
