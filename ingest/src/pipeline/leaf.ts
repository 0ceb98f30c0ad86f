/**
 * The evidence-log leaf of a device message (DESIGN §5), in the evidence log's
 * one leaf format (evidence/leaf.ts): the exact signed payload, so the device's
 * own signature can be checked from the leaf alone, with what the server adds —
 * receipt time, the device clock at the time, and the case it was attached to.
 */
import type { SignedKind } from '@earshot/shared';
import { type EvidenceLeaf, deviceMessageLeaf as evidenceLeaf } from '../evidence/leaf.ts';
import type { ClockInfo } from '../store/status.ts';
import type { EvidenceKind } from './types.ts';

export interface DeviceMessageLeaf {
  type: SignedKind;
  kind: EvidenceKind;
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

const LEAF_KIND = { 'event-started': 'event', 'event-ended': 'event', incident: 'incident', gap: 'gap', calibration: 'calibration-check', clip: 'clip' } as const;

export function deviceMessageLeaf(l: DeviceMessageLeaf): EvidenceLeaf {
  return evidenceLeaf({
    kind: LEAF_KIND[l.kind],
    caseRef: l.caseRef,
    deviceId: l.device,
    seq: l.seq,
    deviceTime: new Date(l.deviceTimeMs),
    receivedAt: new Date(l.receivedAt),
    clockOffsetMs: l.clock.offsetMs,
    clockFlag: l.clock.flag,
    payload: l.payload,
    extra: { message: l.kind, attachReason: l.attachReason, clockSynced: l.clock.synced },
  });
}
