/** Queues the live alert of an event or incident for after the commit (issue 4: alert within 2 s, never holding the PUBACK). */
import type { Step } from '../context.ts';
import { typedBody } from '../context.ts';
import type { Alerter } from '../types.ts';

export function alertStep(alert: Alerter): Step {
  return (ctx) => {
    const t = typedBody(ctx);
    const e = ctx.evidence;
    if (t.type !== 'event' || e === null) return null;
    if (t.body.kind === 'gap' || t.body.kind === 'calibration') return null;
    const event = { device: ctx.device, seq: ctx.seq, kind: t.body.kind, eventId: t.body.eventId, caseRef: e.caseRef, deviceTimeMs: e.deviceTimeMs, receivedAt: ctx.msg.receivedAt, clockFlag: e.clock.flag, body: t.body };
    ctx.afterCommit.push(() => alert(event));
    return null;
  };
}
