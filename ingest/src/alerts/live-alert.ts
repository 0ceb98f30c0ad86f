/**
 * Which events raise a live alert (issue 4): an event starting, or the resident's
 * incident button, on a device attached to an open high-risk case. Pure.
 */
import type { EventBody } from '@earshot/shared';
import type { Attachment } from '../cases/attach.ts';

export interface LiveAlert {
  readonly type: 'earshot.live-alert';
  readonly v: 1;
  readonly caseRef: string;
  readonly deviceId: string;
  readonly deploymentId: number;
  readonly eventId: string;
  readonly kind: 'started' | 'incident';
  readonly ruleId: string | null;
  readonly ruleType: string | null;
  /** Device time the event started / the button was pressed. */
  readonly at: string;
  readonly level: number | null;
  readonly threshold: number | null;
  /** Server receipt time. */
  readonly receivedAt: string;
}

export function liveAlertFor(deviceId: string, event: EventBody, attachment: Attachment, receivedAtMs: number): LiveAlert | null {
  if (!attachment.attached || attachment.category !== 'high-risk' || event.kind !== 'started' && event.kind !== 'incident') return null;
  const common = {
    type: 'earshot.live-alert',
    v: 1,
    caseRef: attachment.caseRef,
    deviceId,
    deploymentId: attachment.deploymentId,
    eventId: event.eventId,
    receivedAt: new Date(receivedAtMs).toISOString(),
  } as const;
  if (event.kind === 'started') {
    return { ...common, kind: 'started', ruleId: event.ruleId, ruleType: event.ruleType, at: event.startedAt, level: event.level, threshold: event.threshold };
  }
  return { ...common, kind: 'incident', ruleId: null, ruleType: null, at: event.at, level: event.LAeq ?? null, threshold: null };
}
