/** Issue 4 attachment: evidence to the open case whose deployment covers its device time, else unassigned with the reason. */
import type { Step } from '../context.ts';
import type { EvidenceRows } from '../../store/evidence-rows.ts';
import { implausibleDeviceTime } from '../device-time.ts';
import type { Attacher } from '../types.ts';

export function attachStep(attacher: Attacher, rows: EvidenceRows): Step {
  return (ctx) => {
    const e = ctx.evidence;
    if (e === null) return null;
    // Issue 11 item 13: never attach evidence to a case by a device time that cannot be right; it stays unassigned, flagged, for an officer to place.
    const implausible = e.clock.flag === 'implausible-time' ? implausibleDeviceTime(e.deviceTimeMs, ctx.msg.receivedAt) : null;
    const r = implausible !== null
      ? { caseRef: null, reason: `device time implausible (${implausible}); not attached by it` }
      : attacher.attach({ deviceId: ctx.device, kind: e.kind, deviceTimeMs: e.deviceTimeMs, receivedAt: ctx.msg.receivedAt, clock: e.clock });
    e.caseRef = r.caseRef;
    e.attachReason = r.reason ?? null;
    rows.setAttachment(e.table, ctx.device, ctx.seq, e.caseRef, e.attachReason);
    return null;
  };
}
