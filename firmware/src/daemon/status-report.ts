/** Builds the heartbeat body (StatusBody, DESIGN §4) from what the daemon's parts report. */
import type { ErrorInfo, StatusBody } from '@earshot/shared';
import type { CaptureHealth } from '../capture/types.ts';
import { type HoldStats, type OutboxStats, outboxStatus } from '../outbox/index.ts';
import type { ClockSync } from '../status/clock-sync.ts';

export interface StatusParts {
  uptimeSeconds: number;
  clock: ClockSync;
  outbox: OutboxStats;
  /** What waits in memory for a full disk, and the error to report while it does; null when nothing. */
  held: (HoldStats & { error: ErrorInfo }) | null;
  disk: StatusBody['disk'];
  temperatureC: number | null;
  mic: StatusBody['mic'];
  fullScaleDb: number;
  configVersion: number | null;
  lastConfig: StatusBody['config']['lastReceived'];
  capture: CaptureHealth;
  publicKeyPem: string;
  suppressed: StatusBody['suppressed'];
  /** The monitor software's version (firmware-version.ts); null when it could not be read. */
  firmwareVersion: string | null;
  /** Stored receipts seen and ignored (uplink/receipt-check.ts); null or absent when the monitor has no server key. */
  receipts?: StatusBody['receipts'] | null;
}

export function statusBody(p: StatusParts): StatusBody {
  const body: StatusBody = {
    uptimeSeconds: Math.round(p.uptimeSeconds),
    clock: p.clock,
    outbox: outboxWithHold(p),
    disk: p.disk,
    temperatureC: p.temperatureC,
    mic: p.mic,
    fullScaleDb: Math.round(p.fullScaleDb * 100) / 100,
    config: { version: p.configVersion, lastReceived: p.lastConfig },
    capture: { source: p.capture.source.slice(0, 64), restarts: p.capture.restarts, lastError: p.capture.lastError?.slice(0, 500) ?? null },
    publicKeyPem: p.publicKeyPem,
  };
  if (p.firmwareVersion !== null) body.firmwareVersion = p.firmwareVersion.slice(0, 64);
  if (p.suppressed !== undefined && Object.keys(p.suppressed).length > 0) body.suppressed = p.suppressed;
  if (p.receipts !== undefined && p.receipts !== null) body.receipts = { ...p.receipts };
  return body;
}

/** StatusBody.outbox, with the full-disk condition (issue 18) while it lasts. */
function outboxWithHold(p: StatusParts): StatusBody['outbox'] {
  const out = outboxStatus(p.outbox);
  if (p.held === null) return out;
  const { error, ...held } = p.held;
  out.held = held;
  out.errors = [{ code: error.code, detail: error.detail.slice(0, 500) }, ...(out.errors ?? [])].slice(0, 10);
  return out;
}
