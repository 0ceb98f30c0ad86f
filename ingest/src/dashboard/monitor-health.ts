/**
 * Each monitor's health as its last status heartbeat told it (shared StatusBody,
 * DESIGN §4): online or not, last heard, microphone, clock, disk, outbox
 * backlog, config in force, and the case it is deployed on.
 */
import { StatusBody } from '@earshot/shared';
import type { Db } from '../db/open.ts';

/** DESIGN §4: a heartbeat every 60 s; three missed and the monitor counts as offline. */
export const OFFLINE_AFTER_MS = 3 * 60_000;

export interface MonitorHealth {
  readonly deviceId: string;
  readonly enabled: boolean;
  readonly online: boolean;
  readonly lastHeardAt: string | null;
  readonly mic: 'ok' | 'silent' | 'clipping' | 'no-signal' | 'unknown' | null;
  readonly clockSynced: boolean | null;
  readonly clockOffsetMs: number | null;
  /** What the monitor asked about its clock: "chrony", "timedatectl", or "unknown" when it had neither to ask. */
  readonly clockSource: string | null;
  readonly diskFreeBytes: number | null;
  readonly diskTotalBytes: number | null;
  readonly outboxDepth: number | null;
  readonly outboxBytes: number | null;
  readonly firmwareVersion: string | null;
  readonly configVersion: number | null;
  /** The last config the monitor received: accepted, or rejected with its reason. */
  readonly configAccepted: boolean | null;
  readonly configError: string | null;
  readonly caseRef: string | null;
  readonly deploymentId: number | null;
  readonly deployedSince: string | null;
}

interface DeviceRow { id: string; enabled: number }
interface StatusRow { received_at: number; body: string }
interface DeploymentRow { id: number; case_ref: string; device_id: string; installed_ms: number }

export function createMonitorHealth(db: Db): (now: number, filter?: { readonly deviceIds?: ReadonlySet<string> }) => MonitorHealth[] {
  const devices = db.prepare<[], DeviceRow>('SELECT id, enabled FROM devices ORDER BY id');
  const latest = db.prepare<[string], StatusRow>('SELECT received_at, body FROM status WHERE device = ? ORDER BY seq DESC LIMIT 1');
  const active = db.prepare<[], DeploymentRow>('SELECT id, case_ref, device_id, installed_ms FROM deployments WHERE removed_ms IS NULL');
  return (now, filter) => {
    const deployed = new Map(active.all().map((d) => [d.device_id, d]));
    const out: MonitorHealth[] = [];
    for (const d of devices.all()) {
      if (filter?.deviceIds !== undefined && !filter.deviceIds.has(d.id)) continue;
      const s = latest.get(d.id);
      let body: StatusBody | null = null;
      if (s !== undefined) {
        const parsed = StatusBody.safeParse(JSON.parse(s.body) as unknown);
        body = parsed.success ? parsed.data : null;
      }
      const dep = deployed.get(d.id);
      out.push({
        deviceId: d.id,
        enabled: d.enabled === 1,
        online: s !== undefined && now - s.received_at <= OFFLINE_AFTER_MS,
        lastHeardAt: s === undefined ? null : new Date(s.received_at).toISOString(),
        mic: body?.mic.state ?? null,
        clockSynced: body?.clock.synced ?? null,
        clockOffsetMs: body?.clock.offsetMs ?? null,
        clockSource: body?.clock.source ?? null,
        diskFreeBytes: body?.disk?.freeBytes ?? null,
        diskTotalBytes: body?.disk?.totalBytes ?? null,
        outboxDepth: body?.outbox.depth ?? null,
        outboxBytes: body?.outbox.bytes ?? null,
        firmwareVersion: body?.firmwareVersion ?? null,
        configVersion: body?.config.version ?? null,
        configAccepted: body?.config.lastReceived?.accepted ?? null,
        configError: body?.config.lastReceived?.error ?? null,
        caseRef: dep?.case_ref ?? null,
        deploymentId: dep?.id ?? null,
        deployedSince: dep === undefined ? null : new Date(dep.installed_ms).toISOString(),
      });
    }
    return out;
  };
}
