/**
 * Confidential content (addresses, complainant details, diary text, officer notes)
 * is kept out of the evidence log's leaves, which are never deleted. The leaf
 * holds a commitment instead: the SHA-256 of the content's exact JSON bytes,
 * which start with a random 128-bit salt so that a short text cannot be guessed
 * from its hash. The bytes are stored beside the row; anyone holding them can
 * check them against the leaf, and the retention purge can remove them while the
 * log stays whole and verifiable.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Committed {
  /** The exact bytes (UTF-8 JSON text) whose hash the leaf carries. */
  readonly json: string;
  readonly sha256: string;
}

export function commitContent(content: Readonly<Record<string, unknown>>): Committed {
  const json = JSON.stringify({ salt: randomBytes(16).toString('hex'), ...content });
  return { json, sha256: sha256Hex(json) };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Does stored content still match the commitment in its leaf? */
export function contentMatches(json: string, sha256: string): boolean {
  return sha256Hex(json) === sha256;
}
