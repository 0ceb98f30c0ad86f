/**
 * The journal's record types and their payload layout. Every payload starts
 * with a fixed 18-byte head, so replay reads ids and kinds without parsing any
 * JSON body:
 *
 *   u8 type | u8 kind | f64 LE id | f64 LE aux | data…
 *
 * | type      | id          | aux      | data                                   |
 * |-----------|-------------|----------|----------------------------------------|
 * | header    | next id     | next seq | (none): first record of every segment  |
 * | message   | message id  | 0        | body: JSON (event, status), levels †   |
 * | clip      | message id  | 0        | ClipEntryJson (path, manifest, acks)   |
 * | signed    | message id  | seq      | the exact signed payload to publish    |
 * | ack       | message id  | 0        | (none): PUBACK of the (signed) message |
 * | ackChunk  | message id  | chunk n  | (none): PUBACK of chunk n of a clip    |
 * | compact   | message id  | 0        | replaced ids, merged levels body †     |
 * | checkpoint| 0           | 0        | the monitor's state JSON (open events)  |
 *
 * † A levels body is binary (levels-codec.ts: 0.01 dB levels and 0.1 dB bands as
 * 16-bit integers), or JSON as journals before it wrote them; the first byte tells.
 *
 * Pure: no I/O.
 */
import { SIGNED_KINDS, type SignedKind } from '@earshot/shared';

export const RECORD_TYPES = ['header', 'message', 'clip', 'signed', 'ack', 'ackChunk', 'compact', 'checkpoint'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const RECORD_HEAD_BYTES = 18;

export interface RecordHead {
  readonly type: RecordType;
  readonly kind: SignedKind;
  readonly id: number;
  readonly aux: number;
}

export interface DecodedRecord extends RecordHead {
  /** The data after the head (a view into the buffer read from disk). */
  readonly data: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function encodeRecord(type: RecordType, kind: SignedKind, id: number, aux: number, data: Uint8Array = EMPTY): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEAD_BYTES + data.length);
  out[0] = RECORD_TYPES.indexOf(type);
  out[1] = SIGNED_KINDS.indexOf(kind);
  out.writeDoubleLE(id, 2);
  out.writeDoubleLE(aux, 10);
  out.set(data, RECORD_HEAD_BYTES);
  return out;
}

/** Decodes a payload whose CRC already matched; null when its head is not one this version writes. */
export function decodeRecord(payload: Buffer): DecodedRecord | null {
  if (payload.length < RECORD_HEAD_BYTES) return null;
  const type = RECORD_TYPES[payload[0]!];
  const kind = SIGNED_KINDS[payload[1]!];
  if (type === undefined || kind === undefined) return null;
  const id = payload.readDoubleLE(2);
  const aux = payload.readDoubleLE(10);
  if (!Number.isSafeInteger(id) || id < 0 || !Number.isSafeInteger(aux) || aux < 0) return null;
  return { type, kind, id, aux, data: payload.subarray(RECORD_HEAD_BYTES) };
}
