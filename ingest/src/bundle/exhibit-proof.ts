/**
 * Ties each exhibit to the evidence log: a clip's SHA-256 is signed by the
 * device in its clip manifest (DESIGN §4), and that signed payload is inside a
 * leaf. An exhibit whose hash no proved leaf names could be a substituted file
 * with a rewritten MANIFEST.sha256 (the manifest itself is not signed). Leaves
 * carry the device's signed payload as base64 in `data.signedPayload`
 * (ingest/src/evidence/leaf.ts).
 */
import { ClipManifest, openEnvelope } from '@earshot/shared';

function payloadOf(json: unknown): string | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as { data?: { signedPayload?: unknown } };
  if (typeof o.data === 'object' && o.data !== null && typeof o.data.signedPayload === 'string') return o.data.signedPayload;
  return null;
}

/** The clip SHA-256 a leaf's signed clip manifest names, or null. */
export function clipHashOfLeaf(leaf: Uint8Array): string | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(leaf).toString('utf8'));
  } catch {
    return null;
  }
  const b64 = payloadOf(json);
  if (b64 === null) return null;
  const opened = openEnvelope(Buffer.from(b64, 'base64'));
  if (!opened.ok || opened.envelope.type !== 'clip') return null;
  const body = ClipManifest.safeParse(opened.envelope.body);
  return body.success ? body.data.sha256 : null;
}

/**
 * The phone recording SHA-256 a diary leaf names (issue 13), or null. A resident's recording is
 * not signed by a device: the service sealed its hash in the diary entry's leaf at receipt, so
 * that proved leaf is what ties the exhibit to the record.
 */
export function recordingHashOfLeaf(leaf: Uint8Array): string | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(leaf).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const o = json as { kind?: unknown; data?: { recording?: { sha256?: unknown } } };
  const sha = o.kind === 'diary' && typeof o.data === 'object' && o.data !== null ? o.data.recording?.sha256 : undefined;
  return typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha) ? sha : null;
}
