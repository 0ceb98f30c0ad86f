/** Issue 4 attachment: evidence to the open case whose deployment covers its device time, else unassigned with the reason. */
import type { Step } from '../context.ts';
import type { EvidenceRows } from '../../store/evidence-rows.ts';
import type { Attacher } from '../types.ts';

export function attachStep(attacher: Attacher, rows: EvidenceRows): Step {
  return (ctx) => {
    const e = ctx.evidence;
    if (e === null) return null;
    const r = attacher.attach({ deviceId: ctx.device, kind: e.kind, deviceTimeMs: e.deviceTimeMs, receivedAt: ctx.msg.receivedAt, clock: e.clock });
    e.caseRef = r.caseRef;
    e.attachReason = r.reason ?? null;
    rows.setAttachment(e.table, ctx.device, ctx.seq, e.caseRef, e.attachReason);
    return null;
  };
}
