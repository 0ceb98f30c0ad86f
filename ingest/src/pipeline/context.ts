/** The state one message carries through the pipeline's steps; each step fills in what the next needs. */
import type { ClipManifest, ErrorInfo, EventBody, LevelsBody, ParsedTopic, SignedKind, StatusBody } from '@earshot/shared';
import type { ClockInfo } from '../store/status.ts';
import type { EvidenceKind, Incoming } from './types.ts';

export type TypedBody =
  | { type: 'levels'; body: LevelsBody }
  | { type: 'status'; body: StatusBody }
  | { type: 'event'; body: EventBody }
  | { type: 'clip'; body: ClipManifest };

export interface Evidence {
  table: 'events' | 'clips';
  kind: EvidenceKind;
  deviceTimeMs: number;
  clock: ClockInfo;
  caseRef: string | null;
  attachReason: string | null;
}

export interface MessageContext {
  msg: Incoming;
  /** The device the topic names (set by the topic check). */
  device: string;
  kind: SignedKind;
  envelopeBytes: Buffer;
  signature: Buffer;
  seq: number;
  sentAt: string;
  envelopeDevice: string;
  envelopeType: SignedKind;
  rawBody: unknown;
  sha256: Buffer;
  /** sha256 is set (by a prepare worker); otherwise the dedupe step computes it. */
  hashed: boolean;
  typed: TypedBody | null;
  evidence: Evidence | null;
  /** This message pinned its device's key (trust on first use, steps/verify.ts). */
  pinnedKey: boolean;
  /** Work to run after the transaction commits (alerts): never before the PUBACK. */
  afterCommit: (() => void)[];
}

/** What a step returns: go on, stop because the message was already stored, or refuse with a reason. */
export type StepResult = null | 'duplicate' | ErrorInfo;

export type Step = (ctx: MessageContext) => StepResult;

export function newContext(msg: Incoming, topic: ParsedTopic & { kind: SignedKind }): MessageContext {
  return {
    msg,
    device: topic.deviceId,
    kind: topic.kind,
    // Placeholders until the open and dedupe steps set them.
    envelopeBytes: msg.payload,
    signature: msg.payload,
    seq: -1,
    sentAt: '',
    envelopeDevice: '',
    envelopeType: topic.kind,
    rawBody: undefined,
    sha256: msg.payload,
    hashed: false,
    typed: null,
    evidence: null,
    pinnedKey: false,
    afterCommit: [],
  };
}

/** A step that needs what an earlier step sets: reaching it otherwise is a programming error. */
export function typedBody(ctx: MessageContext): TypedBody {
  if (ctx.typed === null) throw new Error('pipeline step order: body not validated');
  return ctx.typed;
}
