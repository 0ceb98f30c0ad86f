/**
 * Short-lived signed URLs for what a browser fetches by itself — the <audio>
 * element's clip requests and the bundle download link — which cannot carry the
 * Authorization header. The signature is HMAC-SHA-256 (RFC 2104) with a key held
 * only by the service (derived from its server key, so every process of a fleet
 * signs and checks alike: linkKeyOf), over the path, the username, the expiry and the
 * session's handle (`s`, a random id, not the token): the link works only while
 * that session lives, so it dies at logout (issue 11). The bearer token itself
 * never appears in a URL, and the request log drops every query (app.ts).
 */
import { createHmac, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';

/** Long enough to listen to a night's clips without reloading the page. */
export const SIGNED_URL_LIFETIME_MS = 3_600_000;

export interface UrlSigner {
  sign(path: string, username: string, sessionId: string, now: number): string;
  /** The username and session the URL was signed for, or null when the signature is wrong or expired. */
  verify(path: string, query: SignedParams, now: number): { readonly username: string; readonly sessionId: string } | null;
}

export interface SignedParams {
  readonly u?: string | undefined;
  readonly exp?: string | undefined;
  readonly sig?: string | undefined;
  readonly s?: string | undefined;
}

/**
 * The links' key from the server's signing key (HKDF-SHA-256, RFC 5869, with its own label, so it says nothing
 * of the signing key): the same in every process that holds that key, so a link one `earshot serve` signs is good
 * on any other of the store.
 */
export function linkKeyOf(serverPrivateKey: KeyObject): Buffer {
  return Buffer.from(hkdfSync('sha256', serverPrivateKey.export({ type: 'pkcs8', format: 'der' }), Buffer.alloc(0), 'earshot signed links v1', 32));
}

export function createUrlSigner(key: Buffer): UrlSigner {
  const mac = (path: string, username: string, exp: number, session: string): Buffer =>
    createHmac('sha256', key).update(`${path}\n${username}\n${exp}\n${session}`).digest();
  return {
    sign(path, username, sessionId, now) {
      const exp = now + SIGNED_URL_LIFETIME_MS;
      const q = new URLSearchParams({ u: username, exp: String(exp), sig: mac(path, username, exp, sessionId).toString('base64url'), s: sessionId });
      return `${path}?${q.toString()}`;
    },
    verify(path, q, now) {
      if (q.u === undefined || q.exp === undefined || q.sig === undefined || q.s === undefined) return null;
      const exp = Number(q.exp);
      if (!Number.isSafeInteger(exp) || exp <= now) return null;
      const want = mac(path, q.u, exp, q.s);
      const got = Buffer.from(q.sig, 'base64url');
      return got.length === want.length && timingSafeEqual(got, want) ? { username: q.u, sessionId: q.s } : null;
    },
  };
}
