/**
 * The bytes of an evidence-log leaf for a device message (DESIGN §5: leaf bytes
 * stored verbatim). The leaf carries the exact signed payload, so the device's
 * own signature can be checked from the leaf alone, with what the server adds:
 * receipt time, the device clock at the time, and the case it was attached to.
 */
import type { SignedKind } from '@earshot/shared';
import type { ClockInfo } from '../store/status.ts';

export interface DeviceMessageLeaf {
  type: SignedKind;
  device: string;
  seq: number;
  deviceTimeMs: number;
  receivedAt: number;
  clock: ClockInfo;
  caseRef: string | null;
  attachReason: string | null;
  /** The payload exactly as published: envelope, "\n", base64 signature (DESIGN §4). */
  payload: Buffer;
}

export function deviceMessageLeaf(l: DeviceMessageLeaf): Buffer {
  return Buffer.from(JSON.stringify({
    leaf: 'device-message',
    v: 1,
    type: l.type,
    device: l.device,
    seq: l.seq,
    deviceTime: new Date(l.deviceTimeMs).toISOString(),
    receivedAt: new Date(l.receivedAt).toISOString(),
    clock: { synced: l.clock.synced, offsetMs: l.clock.offsetMs, flag: l.clock.flag },
    caseRef: l.caseRef,
    attachReason: l.attachReason,
    payload: l.payload.toString('base64'),
  }), 'utf8');
}
