/**
 * The stored receipt (DESIGN §4 "Stored receipts"): on earshot/v1/<id>/receipt,
 * retained, QoS 1, the UTF-8 JSON `{"v":1,"device":"<id>","stored":<n>,"at":"<ISO UTC>"}`,
 * one "\n", then the base64 Ed25519 signature (server key) of exactly those
 * JSON bytes. It says: every signed message of that device with seq ≤ stored is
 * durably stored or durably quarantined. The ingest writes it (encodeReceipt),
 * the monitor checks it (openReceipt) before it drops anything from its journal.
 * Verification works on the received bytes and never re-serialises JSON.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { describeIssues, IsoUtcMs } from './envelope.ts';
import type { ErrorInfo } from './errors.ts';
import { DEVICE_ID_PATTERN } from './topics.ts';

export const ReceiptBody = z.strictObject({
  v: z.literal(1),
  device: z.string().regex(DEVICE_ID_PATTERN),
  /** The highest seq n such that every signed message of the device with seq ≤ n is durably stored or quarantined. */
  stored: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** When the ingest made the receipt (ISO 8601 UTC with ms). */
  at: IsoUtcMs,
});
export type ReceiptBody = z.infer<typeof ReceiptBody>;

const NEWLINE = 0x0a;
/** Base64 of a 64-byte Ed25519 signature (RFC 8032 §5.1.6). */
const SIGNATURE_B64 = /^[A-Za-z0-9+/]{86}==$/;
/** A receipt is ~150 bytes; anything far larger is not one. */
export const MAX_RECEIPT_BYTES = 1024;

/** The exact payload to publish: JSON bytes, "\n", base64 signature over those bytes. */
export function encodeReceipt(device: string, stored: number, at: Date, serverKey: KeyObject): Buffer {
  // Key order fixed by DESIGN §4; the monitor verifies these bytes, never a re-serialisation.
  const json = Buffer.from(`{"v":1,"device":${JSON.stringify(device)},"stored":${stored},"at":"${at.toISOString()}"}`, 'utf8');
  const signature = sign(null, json, serverKey).toString('base64');
  const out = Buffer.allocUnsafe(json.length + 1 + signature.length);
  json.copy(out, 0);
  out[json.length] = NEWLINE;
  out.write(signature, json.length + 1, 'latin1');
  return out;
}

export type OpenedReceipt = { ok: true; receipt: ReceiptBody } | { ok: false; error: ErrorInfo };

/**
 * Checks a received receipt: its form, the server's signature over exactly the
 * JSON bytes, and that it names `device`. Any failure is EARSHOT_E_RECEIPT_INVALID
 * with what was wrong; it never throws.
 */
export function openReceipt(payload: Buffer, serverKey: KeyObject, device: string): OpenedReceipt {
  if (payload.length > MAX_RECEIPT_BYTES) return invalid(`${payload.length} bytes, over ${MAX_RECEIPT_BYTES}`);
  const nl = payload.lastIndexOf(NEWLINE);
  if (nl <= 0) return invalid('no signature line');
  const sigText = payload.toString('latin1', nl + 1);
  if (!SIGNATURE_B64.test(sigText)) return invalid('signature is not base64 of 64 bytes');
  const json = payload.subarray(0, nl);
  let ok = false;
  try {
    ok = verify(null, json, serverKey, Buffer.from(sigText, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) return invalid('signature does not verify with the server key');
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    return invalid('not JSON');
  }
  const parsed = ReceiptBody.safeParse(raw);
  if (!parsed.success) return invalid(describeIssues(parsed.error));
  if (parsed.data.device !== device) return invalid(`names device ${parsed.data.device}, not ${device}`);
  return { ok: true, receipt: parsed.data };
}

function invalid(detail: string): OpenedReceipt {
  return { ok: false, error: { code: 'EARSHOT_E_RECEIPT_INVALID', detail } };
}
