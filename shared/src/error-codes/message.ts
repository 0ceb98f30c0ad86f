/** Codes of a device message as the ingest receives it (DESIGN §4). */
import type { ErrorSpec } from '../error-spec.ts';

export const messageErrors = {
  EARSHOT_E_TOPIC_INVALID: { message: 'not an Earshot topic: %s', http: 400, exit: 2 },
  EARSHOT_E_ENVELOPE_MALFORMED: { message: 'malformed signed envelope: %s', http: 400, exit: 2 },
  EARSHOT_E_SIGNATURE_INVALID: { message: 'signature does not verify: %s', http: 400, exit: 1 },
  EARSHOT_E_BODY_INVALID: { message: 'message body does not match its schema: %s', http: 400, exit: 2 },
  EARSHOT_E_DEVICE_MISMATCH: { message: 'message names another device: %s', http: 403, exit: 2 },
  EARSHOT_E_KEY_NOT_PINNED: { message: 'no public key pinned for the device, message kept in quarantine: %s', http: 409, exit: 1 },
  EARSHOT_E_MESSAGE_TOO_LARGE: { message: 'message payload over the size limit: %s', http: 413, exit: 2 },
  EARSHOT_E_SEQ_CONFLICT: { message: 'sequence number already used for a different message: %s', http: 409, exit: 1 },
  EARSHOT_E_CLIP_CHUNK_INVALID: { message: 'clip chunk does not fit its manifest: %s', http: 400, exit: 2 },
  EARSHOT_E_CLIP_MANIFEST_CONFLICT: { message: 'a different manifest exists for this clip: %s', http: 409, exit: 1 },
  EARSHOT_E_CLIP_HASH_MISMATCH: { message: 'reassembled clip does not match its signed sha256: %s', http: 422, exit: 1 },
  EARSHOT_E_STORE_FAILED: { message: 'message could not be stored, kept in quarantine: %s', http: 500, exit: 2 },
  EARSHOT_E_QUARANTINE_QUOTA: { message: 'device quarantine quota reached, payload not kept (reason, size and SHA-256 kept): %s', http: 507, exit: 1 },
  EARSHOT_E_CLIP_ORPHAN_QUOTA: { message: 'too many clip chunks without a manifest, chunk refused: %s', http: 507, exit: 1 },
  EARSHOT_E_DEVICE_TIME_IMPLAUSIBLE: { message: 'device time implausible against the time of receipt: %s', http: 422, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
