/**
 * Writes the message to its table and records (device, seq). Events and clip
 * manifests are evidence: they keep their exact signed bytes, device time,
 * receipt time and the device clock as its last heartbeat reported it.
 */
import type { ClipManifest, EventBody, LevelsBody } from '@earshot/shared';
import type { Evidence, Step } from '../context.ts';
import { typedBody } from '../context.ts';
import type { EvidenceRows } from '../../store/evidence-rows.ts';
import type { LevelsWriter } from '../../store/levels.ts';
import type { MessageLedger } from '../../store/messages.ts';
import type { ClockInfo, StatusStore } from '../../store/status.ts';
import { implausibleDeviceTime } from '../device-time.ts';

export interface StoreWriters {
  ledger: MessageLedger;
  levels: LevelsWriter;
  status: StatusStore;
  evidence: EvidenceRows;
  /** Mirrors stored level records elsewhere (the optional InfluxDB sink), after commit. */
  onLevels?: (deviceId: string, records: LevelsBody['records']) => void;
}

function eventEvidence(body: EventBody): Pick<Evidence, 'kind' | 'deviceTimeMs'> {
  switch (body.kind) {
    case 'started':
      return { kind: 'event-started', deviceTimeMs: Date.parse(body.startedAt) };
    case 'ended':
      return { kind: 'event-ended', deviceTimeMs: Date.parse(body.startedAt) };
    case 'incident':
      return { kind: 'incident', deviceTimeMs: Date.parse(body.at) };
    case 'gap':
      return { kind: 'gap', deviceTimeMs: Date.parse(body.from) };
    case 'calibration':
      return { kind: 'calibration', deviceTimeMs: Date.parse(body.at) };
  }
}

function clipEvidence(body: ClipManifest): Pick<Evidence, 'kind' | 'deviceTimeMs'> {
  return { kind: 'clip', deviceTimeMs: Date.parse(body.startedAt) };
}

export function storeStep(w: StoreWriters): Step {
  return (ctx) => {
    const t = typedBody(ctx);
    const receivedAt = ctx.msg.receivedAt;
    if (t.type === 'levels') {
      w.levels.write(ctx.device, ctx.seq, t.body);
      const mirror = w.onLevels;
      if (mirror !== undefined) ctx.afterCommit.push(() => mirror(ctx.device, t.body.records));
    } else if (t.type === 'status') {
      w.status.write(ctx.device, ctx.seq, Date.parse(ctx.sentAt), receivedAt, t.body);
    } else {
      const what = t.type === 'event' ? eventEvidence(t.body) : clipEvidence(t.body);
      // Issue 11 item 13: a time that cannot be right is flagged whatever the heartbeat said (steps/attach.ts then attaches it to no case).
      const heartbeat = w.status.clock(ctx.device);
      const clock: ClockInfo = implausibleDeviceTime(what.deviceTimeMs, receivedAt) === null ? heartbeat : { ...heartbeat, flag: 'implausible-time' };
      const meta = { device: ctx.device, seq: ctx.seq, deviceTime: what.deviceTimeMs, receivedAt, clock, envelope: ctx.envelopeBytes, signature: ctx.signature };
      if (t.type === 'event') {
        w.evidence.insertEvent(meta, t.body);
      } else if (w.evidence.insertClip(meta, t.body) === 'conflict') {
        return { code: 'EARSHOT_E_CLIP_MANIFEST_CONFLICT', detail: `${ctx.device} clip ${t.body.clipId}` };
      }
      ctx.evidence = { table: t.type === 'event' ? 'events' : 'clips', ...what, clock, caseRef: null, attachReason: null };
    }
    w.ledger.record(ctx.device, ctx.seq, ctx.kind, ctx.sha256, receivedAt);
    return null;
  };
}
