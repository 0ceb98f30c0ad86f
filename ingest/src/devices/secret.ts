/**
 * Device secrets: 32 random bytes, base64url (RFC 4648 §5), shown once at
 * provisioning; only scrypt(secret, per-device salt) is stored (RFC 7914).
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** 256-bit secrets: guessing is out of reach whatever the KDF cost. */
export const SECRET_BYTES = 32;
export const SALT_BYTES = 16;
/**
 * RFC 7914 §2 parameters N = 2^12, r = 8, p = 1 (4 MiB, a few ms per check).
 * A slow KDF protects guessable passwords; these secrets are 256 random bits,
 * out of reach of any guessing, so the cost is set by the fleet instead: after
 * a service restart every monitor reconnects at once, and at N = 2^14 10,000 of
 * them took 4–5 minutes to get back in (bench/ingest-load.ts). Parameters are
 * stored per device, so older hashes keep theirs.
 */
export const SCRYPT_PARAMS = { N: 4_096, r: 8, p: 1 } as const;
export const HASH_BYTES = 32;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export interface HashedSecret {
  salt: Buffer;
  hash: Buffer;
  params: ScryptParams;
}

export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function hashSecret(secret: string): HashedSecret {
  const salt = randomBytes(SALT_BYTES);
  return { salt, hash: scryptSync(secret, salt, HASH_BYTES, SCRYPT_PARAMS), params: { ...SCRYPT_PARAMS } };
}

/** Constant-time check on the libuv thread pool, so the broker's event loop keeps running. */
export function checkSecret(password: Buffer, stored: HashedSecret): Promise<boolean> {
  return new Promise((resolve) => {
    scrypt(password, stored.salt, stored.hash.length, { ...stored.params, maxmem: 64 * 1024 * 1024 }, (err, derived) => {
      resolve(err === null && derived.length === stored.hash.length && timingSafeEqual(derived, stored.hash));
    });
  });
}
