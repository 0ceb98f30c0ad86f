/**
 * Signed tree heads (DESIGN §5): the JSON
 *   {"treeSize":n,"rootHash":"<hex>","timestamp":"<ISO UTC>","logId":"<hex>"}
 * in exactly that key order, signed with the server's Ed25519 key over exactly
 * those bytes. Verification works on the received bytes and never re-serialises.
 */
import { type KeyObject, createHash, createPublicKey, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { type ErrorInfo, IsoUtcMs, Sha256Hex, describeIssues } from '@earshot/shared';
import { HASH_BYTES } from './merkle.ts';

export const TreeHead = z.strictObject({
  treeSize: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  rootHash: Sha256Hex,
  timestamp: IsoUtcMs,
  logId: Sha256Hex,
});
export type TreeHead = z.infer<typeof TreeHead>;

/** A tree head as signed: its exact bytes and the 64-byte Ed25519 signature over them. */
export interface SignedTreeHead {
  readonly head: TreeHead;
  readonly bytes: Buffer;
  readonly signature: Buffer;
}

/** RFC 8032 §5.1.6: an Ed25519 signature is 64 bytes. */
export const ED25519_SIGNATURE_BYTES = 64;

/** The size and signing time a stored head's bytes state (bytes this service signed; throws on any other). */
export function treeHeadInfo(bytes: Buffer): { treeSize: number; timestamp: string } {
  const { treeSize, timestamp } = TreeHead.parse(JSON.parse(bytes.toString('utf8')));
  return { treeSize, timestamp };
}

/** DESIGN §5: logId = hex SHA-256 of the server public key's SubjectPublicKeyInfo DER. */
export function logIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The exact bytes of a tree head, keys in DESIGN §5 order. */
export function encodeTreeHead(head: TreeHead): Buffer {
  return Buffer.from(JSON.stringify({ treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, logId: head.logId }), 'utf8');
}

/** Builds and signs the head of a tree of `treeSize` leaves with root `root`. */
export function signTreeHead(treeSize: number, root: Buffer, timestamp: Date, privateKey: KeyObject, logId: string): SignedTreeHead {
  if (root.length !== HASH_BYTES) throw new RangeError('a tree root is 32 bytes');
  const head: TreeHead = { treeSize, rootHash: root.toString('hex'), timestamp: timestamp.toISOString(), logId };
  const bytes = encodeTreeHead(head);
  return { head, bytes, signature: sign(null, bytes, privateKey) };
}

/** Reads an Ed25519 SubjectPublicKeyInfo PEM. */
export function publicKeyFromPem(pem: string | Buffer): { ok: true; key: KeyObject } | { ok: false; error: ErrorInfo } {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return { ok: false, error: { code: 'EARSHOT_E_PUBLIC_KEY_INVALID', detail: 'not a PEM public key' } };
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return { ok: false, error: { code: 'EARSHOT_E_PUBLIC_KEY_INVALID', detail: `a ${key.asymmetricKeyType ?? 'unknown'} key` } };
  }
  return { ok: true, key };
}

export type TreeHeadCheck = { ok: true; head: TreeHead } | { ok: false; error: ErrorInfo };

/**
 * Checks a signed tree head: the signature over exactly `bytes`, then the JSON,
 * then that its logId names `publicKey`.
 */
export function verifyTreeHead(bytes: Uint8Array, signature: Uint8Array, publicKey: KeyObject): TreeHeadCheck {
  if (signature.length !== ED25519_SIGNATURE_BYTES) {
    return { ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID', detail: `signature is ${signature.length} bytes, not ${ED25519_SIGNATURE_BYTES}` } };
  }
  let good = false;
  try {
    good = verify(null, bytes, publicKey, signature);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID', detail: 'not signed by this server key' } };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_MALFORMED', detail: 'not UTF-8 JSON' } };
  }
  const parsed = TreeHead.safeParse(json);
  if (!parsed.success) return { ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_MALFORMED', detail: describeIssues(parsed.error) } };
  const expected = logIdOf(publicKey);
  if (parsed.data.logId !== expected) {
    return { ok: false, error: { code: 'EARSHOT_E_TREE_HEAD_LOG_ID_MISMATCH', detail: `logId ${parsed.data.logId}, key's is ${expected}` } };
  }
  return { ok: true, head: parsed.data };
}
