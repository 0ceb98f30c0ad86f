/**
 * How a pinned key travels to a prepare worker (issue 19): an Ed25519
 * SubjectPublicKeyInfo is a fixed 12-byte DER prefix and the 32-byte key
 * (RFC 8410 §4), so the pipeline's thread sends the key alone, base64url, and
 * the worker makes its KeyObject from a JWK (RFC 8037 §2: kty OKP, crv
 * Ed25519, x) — about a tenth of the CPU of parsing the PEM (~110 µs here), at
 * each device's first message on each worker. Anything else goes as the PEM.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PEM = /^-----BEGIN PUBLIC KEY-----\s+([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----\s*$/;

/** The key as the worker gets it: the raw Ed25519 key, base64url, or the PEM as it was. */
export function workerKeyForm(pem: string): string {
  const m = PEM.exec(pem);
  if (m === null) return pem;
  const der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  if (der.length !== SPKI_PREFIX.length + 32 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) return pem;
  return der.subarray(SPKI_PREFIX.length).toString('base64url');
}

/** The worker's side: the KeyObject for a key in either form. */
export function keyFromWorkerForm(key: string): KeyObject {
  return key.startsWith('-----')
    ? createPublicKey({ key, format: 'pem' })
    : createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key }, format: 'jwk' });
}
