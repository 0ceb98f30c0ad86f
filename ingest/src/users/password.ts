/**
 * Officer passwords: scrypt (RFC 7914) with a per-user 16-byte random salt.
 * Parameters from the OWASP Password Storage Cheat Sheet (scrypt: "a minimum CPU/
 * memory cost parameter of (2^17), a minimum block size of 8 (1024 bytes), and a
 * parallelization parameter of 1"): 128 MiB and a fraction of a second per login,
 * on the libuv thread pool so the service keeps answering meanwhile.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP Password Storage Cheat Sheet, scrypt. */
export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
export const SALT_BYTES = 16;
export const HASH_BYTES = 32;

export interface PasswordHash {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly params: ScryptParams;
}

/** scrypt needs 128·N·r bytes (RFC 7914 §5 ROMix V); node refuses above maxmem. */
function maxmem(p: ScryptParams): number {
  return 128 * p.N * p.r * 2 + 1024 * 1024;
}

function derive(password: string, salt: Buffer, params: ScryptParams, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, bytes, { ...params, maxmem: maxmem(params) }, (err, key) => (err === null ? resolve(key) : reject(err)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  return { salt, hash: await derive(password, salt, params, HASH_BYTES), params };
}

/** Constant-time comparison (so timing says nothing about how much matched). */
export async function checkPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const got = await derive(password, stored.salt, stored.params, stored.hash.length);
  return timingSafeEqual(got, stored.hash);
}
