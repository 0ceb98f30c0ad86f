/**
 * Device secrets: 32 random bytes, base64url (RFC 4648 §5), shown once at
 * provisioning. Stored as HMAC-SHA-256 (RFC 2104) keyed with a per-device
 * 16-byte salt: a 256-bit random secret is out of reach of guessing whatever
 * the hash costs, so key stretching buys nothing and only made every CONNECT —
 * a flood of wrong ones included — cost milliseconds of the shared thread pool
 * (issue 11). Rows written before keep their scrypt hash (RFC 7914) and its
 * parameters; such a hash is checked with scrypt and replaced by the keyed hash
 * at the device's first good CONNECT. The columns say which: scrypt_n = 0
 * marks a keyed hash (scrypt requires N > 1, RFC 7914 §2).
 */
import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** 256-bit secrets: guessing is out of reach whatever the hash. */
export const SECRET_BYTES = 32;
export const SALT_BYTES = 16;
/** The scrypt parameters of hashes written before the keyed hash (RFC 7914 §2: N = 2^12, r = 8, p = 1). */
export const SCRYPT_PARAMS = { N: 4_096, r: 8, p: 1 } as const;
export const HASH_BYTES = 32;
/** scrypt_n of a keyed hash. */
export const KEYED_HASH_N = 0;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export interface HashedSecret {
  salt: Buffer;
  hash: Buffer;
  /** N = 0 (KEYED_HASH_N): HMAC-SHA-256; otherwise scrypt with these parameters. */
  params: ScryptParams;
}

export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

const keyed = (secret: Buffer | string, salt: Buffer): Buffer => createHmac('sha256', salt).update(secret).digest();

/** The stored form of a new secret: the keyed hash. */
export function hashSecret(secret: string | Buffer, salt: Buffer = randomBytes(SALT_BYTES)): HashedSecret {
  return { salt, hash: keyed(secret, salt), params: { N: KEYED_HASH_N, r: 0, p: 0 } };
}

/** The scrypt form rows written before the keyed hash have (kept for reading them, and for tests of the upgrade). */
export function hashSecretScrypt(secret: string): HashedSecret {
  const salt = randomBytes(SALT_BYTES);
  return { salt, hash: scryptSync(secret, salt, HASH_BYTES, SCRYPT_PARAMS), params: { ...SCRYPT_PARAMS } };
}

export const isKeyedHash = (stored: HashedSecret): boolean => stored.params.N === KEYED_HASH_N;

/** A keyed-hash check: about a microsecond, on the calling thread, constant-time in the comparison. */
export function checkKeyedSecret(password: Buffer, stored: HashedSecret): boolean {
  const derived = keyed(password, stored.salt);
  return derived.length === stored.hash.length && timingSafeEqual(derived, stored.hash);
}

/** A scrypt check of an older row, on the libuv thread pool (callers bound how many run at once). */
export function checkScryptSecret(password: Buffer, stored: HashedSecret): Promise<boolean> {
  return new Promise((resolve) => {
    scrypt(password, stored.salt, stored.hash.length, { ...stored.params, maxmem: 64 * 1024 * 1024 }, (err, derived) => {
      resolve(err === null && derived.length === stored.hash.length && timingSafeEqual(derived, stored.hash));
    });
  });
}

/** Either kind. */
export function checkSecret(password: Buffer, stored: HashedSecret): Promise<boolean> {
  return isKeyedHash(stored) ? Promise.resolve(checkKeyedSecret(password, stored)) : checkScryptSecret(password, stored);
}
