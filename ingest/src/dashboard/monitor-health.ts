/**
 * Each monitor's health as its last status heartbeat told it (shared StatusBody,
 * DESIGN §4): online or not, last heard, microphone, clock, disk, outbox
 * backlog, config in force, and the case it is deployed on.
 */
import { StatusBody } from '@earshot/shared';
import { type Steps, all } from '../storage/record/steps.ts';

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

interface DeviceRow { id: string; enabled: number; received_at: number | null; body: string | null }
export interface ActiveDeployment { id: number; case_ref: string; device_id: string; installed_ms: number }

/**
 * Text in SQLite's order (bytes; UTF-16 units agree for the ASCII of ids and ISO times). Rows are sorted with
 * it rather than by ORDER BY, which PostgreSQL would apply in the database's collation.
 */
export const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface MonitorFilter { readonly deviceIds?: ReadonlySet<string> }

/** The active deployment of each monitor, by device (a monitor is on at most one case at a time: deployments.ts). */
export function* activeDeploymentsSteps(): Steps<Map<string, ActiveDeployment>> {
  const rows = yield* all<ActiveDeployment>('SELECT id, case_ref, device_id, installed_ms FROM deployments WHERE removed_ms IS NULL ORDER BY id');
  return new Map(rows.map((d) => [d.device_id, d]));
}

/** Each monitor's last heartbeat (by seq, through the status primary key) in one query; in id order, byte for byte on both stores. */
function* devicesSteps(): Steps<DeviceRow[]> {
  const rows = yield* all<DeviceRow>(
    `SELECT d.id, d.enabled, s.received_at, s.body FROM devices d
     LEFT JOIN status s ON s.device = d.id AND s.seq = (SELECT max(seq) FROM status WHERE device = d.id)`,
  );
  return rows.sort((a, b) => byBytes(a.id, b.id));
}

function parseBody(text: string | null): StatusBody | null {
  if (text === null) return null;
  const parsed = StatusBody.safeParse(JSON.parse(text) as unknown);
  return parsed.success ? parsed.data : null;
}

function toHealth(d: DeviceRow, dep: ActiveDeployment | undefined, now: number): MonitorHealth {
  const body = parseBody(d.body);
  return {
    deviceId: d.id,
    enabled: d.enabled === 1,
    online: d.received_at !== null && now - d.received_at <= OFFLINE_AFTER_MS,
    lastHeardAt: d.received_at === null ? null : new Date(d.received_at).toISOString(),
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
  };
}

/** Every monitor's health at nowMs (or only those in the filter), in device id order. */
export function* monitorHealthSteps(nowMs: number, filter?: MonitorFilter): Steps<MonitorHealth[]> {
  return yield* healthOfSteps(yield* activeDeploymentsSteps(), nowMs, filter);
}

/** As monitorHealthSteps, given the active deployments already read in the same snapshot. */
export function* healthOfSteps(deployed: ReadonlyMap<string, ActiveDeployment>, nowMs: number, filter?: MonitorFilter): Steps<MonitorHealth[]> {
  const out: MonitorHealth[] = [];
  for (const d of yield* devicesSteps()) {
    if (filter?.deviceIds !== undefined && !filter.deviceIds.has(d.id)) continue;
    out.push(toHealth(d, deployed.get(d.id), nowMs));
  }
  return out;
}
