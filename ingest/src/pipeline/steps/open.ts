/** Splits the payload into envelope bytes and signature and reads the header (DESIGN §4). */
import { openEnvelope } from '@earshot/shared';
import type { Step } from '../context.ts';

export function openStep(maxPayloadBytes: number): Step {
  return (ctx) => {
    const size = ctx.msg.payload.length;
    if (size > maxPayloadBytes) return { code: 'EARSHOT_E_MESSAGE_TOO_LARGE', detail: `${size} bytes (limit ${maxPayloadBytes})` };
    const o = openEnvelope(ctx.msg.payload);
    if (!o.ok) return o.error;
    ctx.envelopeBytes = o.envelopeBytes;
    ctx.signature = o.signature;
    ctx.seq = o.envelope.seq;
    ctx.sentAt = o.envelope.sentAt;
    ctx.envelopeDevice = o.envelope.device;
    ctx.envelopeType = o.envelope.type;
    ctx.rawBody = o.envelope.body;
    return null;
  };
}
