/**
 * What the message pipeline takes and gives. Attachment to cases, the evidence
 * log and live alerts belong to other parts of the service: the pipeline takes
 * them as these small interfaces.
 */
import type { ErrorCode, EventBody, SignedKind } from '@earshot/shared';
import type { EvidenceLeaf } from '../evidence/leaf.ts';
import type { ClockInfo } from '../store/status.ts';
import type { Prepared } from './workers/prepare.ts';

export type { ClockInfo } from '../store/status.ts';

/** One PUBLISH as the broker received it. */
export interface Incoming {
  topic: string;
  payload: Buffer;
  /** The authenticated MQTT client id (= device id), null when unknown. */
  clientId: string | null;
  /** Server receipt time, ms since the epoch. */
  receivedAt: number;
  /** Its first steps, run on a worker thread (workers/prepare.ts), and the pinned key they verified with. */
  prepared?: { result: Prepared; key: string };
}

export type EvidenceKind = 'event-started' | 'event-ended' | 'incident' | 'gap' | 'calibration' | 'clip';

export interface AttachRequest {
  deviceId: string;
  kind: EvidenceKind;
  /** Device time of the evidence: an event's start, an incident's moment, a clip's first sample. */
  deviceTimeMs: number;
  receivedAt: number;
  clock: ClockInfo;
}

/** Issue 4 attachment: the open case whose deployment covers the device time, or null with the reason. */
export interface Attacher {
  attach(req: AttachRequest): { caseRef: string | null; reason?: string };
}

/** The evidence log (DESIGN §5); append runs inside the pipeline's transaction. */
export interface EvidenceLog {
  append(leaf: EvidenceLeaf): { leafIndex: number };
}

export interface AlertEvent {
  device: string;
  seq: number;
  kind: 'started' | 'ended' | 'incident';
  eventId: string;
  caseRef: string | null;
  deviceTimeMs: number;
  receivedAt: number;
  clockFlag: ClockInfo['flag'];
  /** The event as the device signed it. */
  body: EventBody;
}

/** Called after commit, outside the PUBACK path; it must not throw (errors are logged). */
export type Alerter = (event: AlertEvent) => void;

export type Outcome =
  | { status: 'stored'; device: string; seq: number; type: SignedKind }
  | { status: 'duplicate'; device: string; seq: number }
  | { status: 'chunk-stored'; device: string; clipId: string; chunk: number }
  /** quarantineId null: the device's quarantine quota was reached, the message only counted (store/quarantine.ts). */
  | { status: 'quarantined'; code: ErrorCode; detail: string; quarantineId: number | null };
