/**
 * Ed25519 signature over exactly the received envelope bytes, with the key pinned
 * for the topic's device (DESIGN §4).
 *
 * Trust on first use (issue 4: "the device's public key is pinned at first
 * connection"): a device with no pinned key presents its key in its status
 * heartbeat (StatusBody.publicKeyPem). Its connection was authenticated by its
 * secret; if that status verifies with the presented key, the key is pinned, in
 * the message's own transaction, and never replaced silently afterwards.
 */
import { type KeyObject, createPublicKey } from 'node:crypto';
import { verifyEnvelope } from '@earshot/shared';
import type { MessageContext, Step } from '../context.ts';

export interface KeyPinning {
  /** Pins `publicKeyPem` for the device (inside the message's transaction). */
  pin(deviceId: string, publicKeyPem: string): void;
  /** The transaction that pinned it was rolled back: forget any cached copy. */
  forget(deviceId: string): void;
}

function presentedKey(ctx: MessageContext): { key: KeyObject; pem: string } | null {
  if (ctx.kind !== 'status' || typeof ctx.rawBody !== 'object' || ctx.rawBody === null) return null;
  const pem = (ctx.rawBody as { publicKeyPem?: unknown }).publicKeyPem;
  if (typeof pem !== 'string' || pem.length > 1024) return null;
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    return key.asymmetricKeyType === 'ed25519' ? { key, pem } : null;
  } catch {
    return null;
  }
}

export function verifyStep(pinnedKey: (deviceId: string) => KeyObject | null, pinning?: KeyPinning): Step {
  return (ctx) => {
    const key = pinnedKey(ctx.device);
    if (key === null) {
      const offered = pinning === undefined ? null : presentedKey(ctx);
      if (offered === null) return { code: 'EARSHOT_E_KEY_NOT_PINNED', detail: ctx.device };
      if (!verifyEnvelope(ctx.envelopeBytes, ctx.signature, offered.key)) return { code: 'EARSHOT_E_SIGNATURE_INVALID', detail: `${ctx.device} seq ${ctx.seq} (with the key it presented)` };
      pinning!.pin(ctx.device, offered.pem);
      ctx.pinnedKey = true;
      return null;
    }
    if (!verifyEnvelope(ctx.envelopeBytes, ctx.signature, key)) return { code: 'EARSHOT_E_SIGNATURE_INVALID', detail: `${ctx.device} seq ${ctx.seq}` };
    return null;
  };
}
