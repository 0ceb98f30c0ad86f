/** DESIGN §5: every piece of evidence becomes a leaf of the log, in the same transaction as its row. */
import type { Step } from '../context.ts';
import { deviceMessageLeaf } from '../leaf.ts';
import type { EvidenceRows } from '../../store/evidence-rows.ts';
import type { EvidenceLog } from '../types.ts';

export function logStep(log: EvidenceLog, rows: EvidenceRows): Step {
  return (ctx) => {
    const e = ctx.evidence;
    if (e === null) return null;
    const leaf = deviceMessageLeaf({
      type: ctx.kind, kind: e.kind, device: ctx.device, seq: ctx.seq, deviceTimeMs: e.deviceTimeMs, receivedAt: ctx.msg.receivedAt,
      clock: e.clock, caseRef: e.caseRef, attachReason: e.attachReason, payload: ctx.msg.payload,
    });
    rows.setLeaf(e.table, ctx.device, ctx.seq, log.append(leaf).leafIndex);
    return null;
  };
}
