/** The envelope must name the device whose topic (and authenticated connection) it came on. */
import type { Step } from '../context.ts';

export const checkDeviceStep: Step = (ctx) =>
  ctx.envelopeDevice === ctx.device ? null : { code: 'EARSHOT_E_DEVICE_MISMATCH', detail: `envelope says ${ctx.envelopeDevice}, topic says ${ctx.device}` };
