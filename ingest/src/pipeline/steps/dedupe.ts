/** DESIGN §4: a message is stored once however often it is redelivered (key: device id + seq). */
import { createHash } from 'node:crypto';
import type { Step } from '../context.ts';
import type { MessageLedger } from '../../store/messages.ts';

export function dedupeStep(ledger: MessageLedger): Step {
  return (ctx) => {
    if (!ctx.hashed) ctx.sha256 = createHash('sha256').update(ctx.envelopeBytes).digest();
    const seen = ledger.check(ctx.device, ctx.seq, ctx.sha256);
    if (seen === 'duplicate') return 'duplicate';
    if (seen === 'conflict') return { code: 'EARSHOT_E_SEQ_CONFLICT', detail: `${ctx.device} seq ${ctx.seq}` };
    return null;
  };
}
