/** Ed25519 signature over exactly the received envelope bytes, with the key pinned for the topic's device (DESIGN §4). */
import type { KeyObject } from 'node:crypto';
import { verifyEnvelope } from '@earshot/shared';
import type { Step } from '../context.ts';

export function verifyStep(pinnedKey: (deviceId: string) => KeyObject | null): Step {
  return (ctx) => {
    const key = pinnedKey(ctx.device);
    if (key === null) return { code: 'EARSHOT_E_KEY_NOT_PINNED', detail: ctx.device };
    if (!verifyEnvelope(ctx.envelopeBytes, ctx.signature, key)) return { code: 'EARSHOT_E_SIGNATURE_INVALID', detail: `${ctx.device} seq ${ctx.seq}` };
    return null;
  };
}
