/** Builds the heartbeat body (StatusBody, DESIGN §4) from what the daemon's parts report. */
import type { StatusBody } from '@earshot/shared';
import type { CaptureHealth } from '../capture/types.ts';
import { type OutboxStats, outboxStatus } from '../outbox/index.ts';
import type { ClockSync } from '../status/clock-sync.ts';

export interface StatusParts {
  uptimeSeconds: number;
  clock: ClockSync;
  outbox: OutboxStats;
  disk: StatusBody['disk'];
  temperatureC: number | null;
  mic: StatusBody['mic'];
  fullScaleDb: number;
  configVersion: number | null;
  lastConfig: StatusBody['config']['lastReceived'];
  capture: CaptureHealth;
  publicKeyPem: string;
  suppressed: StatusBody['suppressed'];
}

export function statusBody(p: StatusParts): StatusBody {
  const body: StatusBody = {
    uptimeSeconds: Math.round(p.uptimeSeconds),
    clock: p.clock,
    outbox: outboxStatus(p.outbox),
    disk: p.disk,
    temperatureC: p.temperatureC,
    mic: p.mic,
    fullScaleDb: Math.round(p.fullScaleDb * 100) / 100,
    config: { version: p.configVersion, lastReceived: p.lastConfig },
    capture: { source: p.capture.source.slice(0, 64), restarts: p.capture.restarts, lastError: p.capture.lastError?.slice(0, 500) ?? null },
    publicKeyPem: p.publicKeyPem,
  };
  if (p.suppressed !== undefined && Object.keys(p.suppressed).length > 0) body.suppressed = p.suppressed;
  return body;
}
