/**
 * Diary link tokens: 32 random bytes (256 bits, beyond any guessing; OWASP
 * Session Management Cheat Sheet asks for at least 64 bits of entropy) as
 * base64url (RFC 4648 §5), 43 characters. Only the SHA-256 of a token is
 * stored: a token is high-entropy, so a fast hash cannot be searched (unlike a
 * password, which needs scrypt).
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newLinkToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
