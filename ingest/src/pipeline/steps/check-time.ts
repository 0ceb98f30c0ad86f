/**
 * Issue 11 item 13: a 1 s record is placed by its device time alone (it has no
 * other link to a case), so a levels batch holding an implausible time is
 * quarantined whole, signature and all (EARSHOT_E_DEVICE_TIME_IMPLAUSIBLE); its
 * payload is kept past the usual 30 days (retention/hygiene.ts). Events and
 * clips are stored instead, flagged (steps/store.ts).
 */
import type { Step } from '../context.ts';
import { typedBody } from '../context.ts';
import { implausibleDeviceTime } from '../device-time.ts';

export const checkTimeStep: Step = (ctx) => {
  const t = typedBody(ctx);
  if (t.type !== 'levels') return null;
  const received = ctx.msg.receivedAt;
  for (const r of t.body.records) {
    const why = implausibleDeviceTime(Date.parse(r.t), received);
    if (why !== null) return { code: 'EARSHOT_E_DEVICE_TIME_IMPLAUSIBLE', detail: `level record ${r.t}: ${why}` };
  }
  return null;
};
