/** Strict base64 (RFC 4648 §4, with padding): Buffer.from(…, 'base64') alone accepts anything. */
import { z } from 'zod';

export const Base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64 (RFC 4648 §4)');

/** The bytes of strict base64 text, or null when it is not. */
export function fromBase64(text: string): Buffer | null {
  return Base64.safeParse(text).success ? Buffer.from(text, 'base64') : null;
}
