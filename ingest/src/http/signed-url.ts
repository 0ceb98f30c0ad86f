/**
 * Short-lived signed URLs for what a browser fetches by itself — the <audio>
 * element's clip requests and the bundle download link — which cannot carry the
 * Authorization header. The signature is HMAC-SHA-256 (RFC 2104) with a key held
 * only in this process, over the path, the username and the expiry; the
 * bearer token itself never appears in a URL (and so never in a log).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Long enough to listen to a night's clips without reloading the page. */
export const SIGNED_URL_LIFETIME_MS = 3_600_000;

export interface UrlSigner {
  sign(path: string, username: string, now: number): string;
  /** The username the URL was signed for, or null when the signature is wrong or expired. */
  verify(path: string, query: { readonly u?: string | undefined; readonly exp?: string | undefined; readonly sig?: string | undefined }, now: number): string | null;
}

export function createUrlSigner(key: Buffer): UrlSigner {
  const mac = (path: string, username: string, exp: number): Buffer => createHmac('sha256', key).update(`${path}\n${username}\n${exp}`).digest();
  return {
    sign(path, username, now) {
      const exp = now + SIGNED_URL_LIFETIME_MS;
      const q = new URLSearchParams({ u: username, exp: String(exp), sig: mac(path, username, exp).toString('base64url') });
      return `${path}?${q.toString()}`;
    },
    verify(path, q, now) {
      if (q.u === undefined || q.exp === undefined || q.sig === undefined) return null;
      const exp = Number(q.exp);
      if (!Number.isSafeInteger(exp) || exp <= now) return null;
      const want = mac(path, q.u, exp);
      const got = Buffer.from(q.sig, 'base64url');
      return got.length === want.length && timingSafeEqual(got, want) ? q.u : null;
    },
  };
}
