/**
 * An evidence leaf (DESIGN §5): UTF-8 JSON
 *   {"v":1,"kind":"…","recordedAt":"<ISO UTC ms>","caseRef":string|null,"data":{…}}
 * Leaves are encoded once, here, canonically: the top-level keys in that order and
 * the keys inside `data` sorted (by UTF-16 code units, as RFC 8785 §3.2.3), so the
 * same evidence always gives the same bytes. After that the bytes are stored and
 * returned verbatim and never re-serialised.
 */
import { z } from 'zod';
import { DEVICE_ID_PATTERN, EarshotError, type ErrorInfo, IsoUtcMs, describeIssues } from '@earshot/shared';
import { Base64 } from './base64.ts';

export const EVIDENCE_KINDS = ['event', 'clip', 'incident', 'gap', 'calibration-check', 'diary', 'deployment', 'calibration', 'annotation', 'correction', 'case', 'access', 'device-config'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Kinds that record a signed device message. */
/** gap: what the monitor could not keep; calibration-check: the monitor's own signed calibrator check (issue 10, 18). */
export const DEVICE_KINDS = ['event', 'clip', 'incident', 'gap', 'calibration-check'] as const;
/** Kinds recorded by the server or an officer. */
/** device-config: a retained config the ingest published to a device (issue 10: the rules in force at each time). */
export const RECORD_KINDS = ['diary', 'deployment', 'calibration', 'annotation', 'case', 'access', 'device-config'] as const;

/**
 * Why the device time of this evidence may not be trusted (issue 4: flag evidence
 * whose device clock was unsynchronised or off by more than 2 s); null when the
 * clock was synchronised and within 2 s. The same words as the store's ClockInfo.
 */
export const ClockFlag = z.enum(['no-heartbeat', 'sync-unknown', 'unsynchronised', 'offset-unknown', 'offset-over-2s', 'implausible-time']).nullable();
export type ClockFlag = z.infer<typeof ClockFlag>;

const CaseRef = z.string().min(1).max(128).nullable();

/**
 * A device message as evidence. `signedPayload` is base64 of the complete MQTT
 * payload as received — the envelope bytes, "\n", the base64 signature (DESIGN
 * §4) — so anyone with the device's public key can re-check the signature.
 * Further JSON fields (event id, clip sha256, …) may follow.
 */
export const DeviceEvidence = z
  .object({
    deviceId: z.string().regex(DEVICE_ID_PATTERN),
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    deviceTime: IsoUtcMs,
    receivedAt: IsoUtcMs,
    /** Device clock minus server clock in ms at the time, null if unknown. */
    clockOffsetMs: z.number().nullable(),
    clockFlag: ClockFlag,
    signedPayload: Base64.min(1),
  })
  .catchall(z.json());

/** A correction is a new leaf naming the leaf it corrects (the log is append-only, DESIGN §5). */
export const CorrectionEvidence = z
  .object({
    correctsLeafIndex: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    reason: z.string().min(1).max(2000),
  })
  .catchall(z.json());

const Common = { v: z.literal(1), recordedAt: IsoUtcMs, caseRef: CaseRef };

export const EvidenceLeaf = z.discriminatedUnion('kind', [
  z.strictObject({ ...Common, kind: z.enum(DEVICE_KINDS), data: DeviceEvidence }),
  z.strictObject({ ...Common, kind: z.literal('correction'), data: CorrectionEvidence }),
  z.strictObject({ ...Common, kind: z.enum(RECORD_KINDS), data: z.record(z.string(), z.json()) }),
]);
export type EvidenceLeaf = z.infer<typeof EvidenceLeaf>;

type Json = z.infer<ReturnType<typeof z.json>>;

/** What the message pipeline knows of a device message that is evidence. */
export interface DeviceMessageEvidence {
  readonly kind: (typeof DEVICE_KINDS)[number];
  readonly caseRef: string | null;
  readonly deviceId: string;
  readonly seq: number;
  readonly deviceTime: Date;
  readonly receivedAt: Date;
  readonly clockOffsetMs: number | null;
  readonly clockFlag: ClockFlag;
  /** The MQTT payload exactly as received: envelope, "\n", base64 signature (DESIGN §4). */
  readonly payload: Buffer;
  /** Further fields for `data` (e.g. eventId, clip sha256, attachReason). */
  readonly extra?: Readonly<Record<string, Json>>;
}

/** The leaf of a device message, recorded at its receipt time. */
export function deviceMessageLeaf(e: DeviceMessageEvidence): EvidenceLeaf {
  return {
    v: 1,
    kind: e.kind,
    recordedAt: e.receivedAt.toISOString(),
    caseRef: e.caseRef,
    data: {
      ...e.extra,
      deviceId: e.deviceId,
      seq: e.seq,
      deviceTime: e.deviceTime.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      clockOffsetMs: e.clockOffsetMs,
      clockFlag: e.clockFlag,
      signedPayload: e.payload.toString('base64'),
    },
  };
}

/** Objects with their keys sorted, recursively (RFC 8785 §3.2.3 order); arrays keep their order. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]!);
  return out;
}

/** Validates a leaf and returns its canonical bytes; throws EARSHOT_E_LEAF_INVALID. */
export function encodeLeaf(leaf: EvidenceLeaf): Buffer {
  const r = EvidenceLeaf.safeParse(leaf);
  if (!r.success) throw new EarshotError('EARSHOT_E_LEAF_INVALID', describeIssues(r.error));
  const l = r.data;
  return Buffer.from(JSON.stringify({ v: l.v, kind: l.kind, recordedAt: l.recordedAt, caseRef: l.caseRef, data: sortKeys(l.data) }), 'utf8');
}

export type DecodedLeaf = { ok: true; leaf: EvidenceLeaf } | { ok: false; error: ErrorInfo };

/** Reads stored or bundled leaf bytes. */
export function decodeLeaf(bytes: Uint8Array): DecodedLeaf {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, error: { code: 'EARSHOT_E_LEAF_INVALID', detail: 'not UTF-8 JSON' } };
  }
  const r = EvidenceLeaf.safeParse(json);
  return r.success ? { ok: true, leaf: r.data } : { ok: false, error: { code: 'EARSHOT_E_LEAF_INVALID', detail: describeIssues(r.error) } };
}
