/**
 * The signed envelope (DESIGN §4): the UTF-8 JSON envelope, one "\n", then the
 * base64 Ed25519 signature of exactly the envelope bytes before that "\n".
 * Verification works on the received bytes and never re-serialises JSON.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { describeIssues } from './describe-issues.ts';
import type { ErrorInfo } from './errors.ts';
import { IsoUtcMs } from './iso-utc.ts';
import { DEVICE_ID_PATTERN, SIGNED_KINDS, type SignedKind } from './topics.ts';

export { IsoUtcMs } from './iso-utc.ts';

export const EnvelopeHeader = z.object({
  v: z.literal(1),
  device: z.string().regex(DEVICE_ID_PATTERN),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  sentAt: IsoUtcMs,
  type: z.enum(SIGNED_KINDS as [SignedKind, ...SignedKind[]]),
  body: z.unknown(),
});
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

const NEWLINE = 0x0a;
/** Base64 of a 64-byte Ed25519 signature. */
const SIGNATURE_B64 = /^[A-Za-z0-9+/]{86}==$/;

export interface Envelope<B> {
  v: 1;
  device: string;
  seq: number;
  sentAt: string;
  type: SignedKind;
  body: B;
}

/** Serialises and signs an envelope; returns the exact payload bytes to publish. */
export function signEnvelope<B>(envelope: Envelope<B>, privateKey: KeyObject): Buffer {
  const json = Buffer.from(JSON.stringify({ v: envelope.v, device: envelope.device, seq: envelope.seq, sentAt: envelope.sentAt, type: envelope.type, body: envelope.body }), 'utf8');
  const signature = sign(null, json, privateKey).toString('base64');
  const out = Buffer.allocUnsafe(json.length + 1 + signature.length);
  json.copy(out, 0);
  out[json.length] = NEWLINE;
  out.write(signature, json.length + 1, 'latin1');
  return out;
}

export type Opened =
  | { ok: true; envelope: EnvelopeHeader; envelopeBytes: Buffer; signature: Buffer }
  | { ok: false; error: ErrorInfo };

/**
 * Splits a payload into envelope bytes and signature and parses the envelope
 * header (not the body: that is the body schema's job). Does not verify: call
 * verifyEnvelope with the device's pinned key.
 */
export function openEnvelope(payload: Buffer): Opened {
  const nl = payload.lastIndexOf(NEWLINE);
  if (nl <= 0) return fail('EARSHOT_E_ENVELOPE_MALFORMED', 'no signature line');
  const sigText = payload.subarray(nl + 1).toString('latin1');
  if (!SIGNATURE_B64.test(sigText)) return fail('EARSHOT_E_ENVELOPE_MALFORMED', 'signature is not base64 of 64 bytes');
  const envelopeBytes = payload.subarray(0, nl);
  let parsed: unknown;
  try {
    parsed = JSON.parse(envelopeBytes.toString('utf8'));
  } catch {
    return fail('EARSHOT_E_ENVELOPE_MALFORMED', 'envelope is not JSON');
  }
  const header = EnvelopeHeader.safeParse(parsed);
  if (!header.success) return fail('EARSHOT_E_ENVELOPE_MALFORMED', describeIssues(header.error));
  return { ok: true, envelope: header.data, envelopeBytes, signature: Buffer.from(sigText, 'base64') };
}

/** Ed25519 check of the signature over exactly the envelope bytes. */
export function verifyEnvelope(envelopeBytes: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  try {
    return verify(null, envelopeBytes, publicKey, signature);
  } catch {
    return false;
  }
}

export { describeIssues } from './describe-issues.ts';

function fail(code: ErrorInfo['code'], detail: string): Opened {
  return { ok: false, error: { code, detail } };
}
