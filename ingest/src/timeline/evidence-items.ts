/**
 * The evidence of a case in a period, as the timeline shows it: events (a started
 * and an ended message joined by event id), incident marks, clips and diary
 * entries. Only rows attached to the case (their case_ref) are read, so a
 * timeline never shows another case's evidence, even from a shared device.
 */
import { EventBody, type ClipManifest } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { readNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all } from '../storage/record/steps.ts';

export interface TimelineEvent {
  readonly eventId: string;
  readonly deviceId: string;
  readonly kind: 'event' | 'incident';
  readonly ruleId: string | null;
  readonly ruleType: string | null;
  readonly start: string;
  /** null while the event has not ended (or its end never arrived), and for incident marks. */
  readonly end: string | null;
  readonly durationSeconds: number | null;
  readonly LAeq: number | null;
  readonly LAFmax: number | null;
  /** LCeq − LAeq over the event (bass content), once it has ended. */
  readonly LCminusLA: number | null;
  /** Background LAF90 before the event, as the device measured it. */
  readonly backgroundLAF90: number | null;
  readonly threshold: number | null;
  readonly clipIds: string[];
  readonly leafIndex: number | null;
  readonly clockFlag: ClockFlag;
}

export interface TimelineClip {
  readonly deviceId: string;
  readonly clipId: string;
  readonly eventId: string;
  readonly start: string;
  readonly durationSeconds: number;
  readonly sha256: string;
  readonly bytes: number;
  readonly state: 'incomplete' | 'complete' | 'corrupt';
  readonly leafIndex: number | null;
}

export interface TimelineDiaryEntry {
  readonly id: number;
  readonly start: string;
  readonly end: string | null;
  /** What the complainant heard; null once purged. */
  readonly heard: string | null;
  readonly leafIndex: number;
}

/** What the monitor could not keep (its signed gap record, shared DataGap): shaded "no data" on the chart. */
export interface TimelineGap {
  readonly id: string;
  readonly deviceId: string;
  readonly what: 'levels' | 'clip';
  readonly from: string;
  readonly to: string;
  readonly reason: 'storage-full' | 'write-error';
  readonly detail: string | null;
  readonly clockFlag: TimelineEvent['clockFlag'];
  readonly leafIndex: number | null;
}

export interface Threshold {
  readonly ruleId: string;
  readonly ruleType: string;
  readonly thresholdDb: number;
}

interface EventRow { device: string; event_id: string; body: string; leaf_index: number | null; clock_flag: ClockFlag }
type ClockFlag = 'no-heartbeat' | 'sync-unknown' | 'unsynchronised' | 'offset-unknown' | 'offset-over-2s' | 'implausible-time' | null;
interface ClipRow { device: string; clip_id: string; event_id: string; sha256: string; bytes: number; state: TimelineClip['state']; leaf_index: number | null; body: string; device_time: number }
interface DiaryRow { id: number; started_ms: number; ended_ms: number | null; content: string | null; leaf_index: number }

const iso = (ms: number): string => new Date(ms).toISOString();

export interface EvidenceItems {
  readonly events: TimelineEvent[];
  readonly clips: TimelineClip[];
  readonly diary: TimelineDiaryEntry[];
  /** The monitors' gap records in the period, in time order. */
  readonly gaps: TimelineGap[];
  /** Thresholds of the rules whose events are in the period (each event carries its rule's threshold). */
  readonly thresholds: Threshold[];
}

const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function foldEvents(rows: readonly EventRow[]): { events: TimelineEvent[]; gaps: TimelineGap[] } {
  const byId = new Map<string, TimelineEvent>();
  const gaps = new Map<string, TimelineGap>();
  for (const r of rows) {
    const parsed = EventBody.safeParse(JSON.parse(r.body));
    if (!parsed.success) continue;
    const b = parsed.data;
    // Calibration records are not events on the timeline (the equipment record reads them); gap records are listed on their own.
    if (b.kind === 'calibration') continue;
    if (b.kind === 'gap') {
      gaps.set(`${r.device}\u0000${b.eventId}`, { id: b.eventId, deviceId: r.device, what: b.what, from: b.from, to: b.to, reason: b.reason, detail: b.detail ?? null, clockFlag: r.clock_flag, leafIndex: r.leaf_index });
      continue;
    }
    const key = `${r.device}\u0000${r.event_id}`;
    const prev = byId.get(key);
    const base = { eventId: b.eventId, deviceId: r.device, leafIndex: r.leaf_index, clockFlag: r.clock_flag };
    if (b.kind === 'incident') {
      byId.set(key, { ...base, kind: 'incident', ruleId: null, ruleType: null, start: b.at, end: null, durationSeconds: null, LAeq: b.LAeq ?? null, LAFmax: null, LCminusLA: null, backgroundLAF90: null, threshold: null, clipIds: b.clipIds });
    } else if (b.kind === 'ended') {
      byId.set(key, { ...base, kind: 'event', ruleId: b.ruleId, ruleType: b.ruleType, start: b.startedAt, end: b.endedAt, durationSeconds: b.durationSeconds, LAeq: b.LAeq, LAFmax: b.LAFmax, LCminusLA: b.LCminusLA, backgroundLAF90: b.backgroundLAF90, threshold: b.threshold, clipIds: b.clipIds });
    } else if (prev === undefined) {
      // An event not yet ended has only the level that crossed its threshold: LAFmax for the
      // impulsive rule, LCeq − LAeq for the low-frequency rule, LAeq,T for the others (rules/).
      const lafmax = b.ruleType === 'impulsive' ? b.level : null;
      const laeq = b.ruleType === 'impulsive' || b.ruleType === 'low-frequency' ? null : b.level;
      byId.set(key, { ...base, kind: 'event', ruleId: b.ruleId, ruleType: b.ruleType, start: b.startedAt, end: null, durationSeconds: null, LAeq: laeq, LAFmax: lafmax, LCminusLA: null, backgroundLAF90: null, threshold: b.threshold, clipIds: [] });
    }
  }
  // A total order, the same on either store: by instant, and ties (two monitors, one second) by device, then id, byte by byte.
  return {
    events: [...byId.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || byBytes(a.deviceId, b.deviceId) || byBytes(a.eventId, b.eventId)),
    gaps: [...gaps.values()].sort((a, b) => Date.parse(a.from) - Date.parse(b.from) || byBytes(a.deviceId, b.deviceId) || byBytes(a.id, b.id)),
  };
}

function thresholdsOf(events: readonly TimelineEvent[]): Threshold[] {
  const seen = new Map<string, Threshold>();
  for (const e of events) {
    if (e.ruleId === null || e.threshold === null || e.ruleType === null) continue;
    seen.set(`${e.ruleId}\u0000${e.threshold}`, { ruleId: e.ruleId, ruleType: e.ruleType, thresholdDb: e.threshold });
  }
  return [...seen.values()];
}

function diaryHeard(content: string | null): string | null {
  if (content === null) return null;
  const c = JSON.parse(content) as { heard?: unknown };
  return typeof c.heard === 'string' ? c.heard : null;
}

// 'started' rows before 'ended' rows of the same event, so the ended one wins.
const EVENTS_SQL = `SELECT device, event_id, body, leaf_index, clock_flag FROM events
  WHERE case_ref = ? AND device_time >= ? AND device_time < ? ORDER BY device_time, kind = 'ended', seq`;
// Ties in time are broken by clip id here, byte by byte: PostgreSQL would order text by the database's collation.
const CLIPS_SQL = `SELECT device, clip_id, event_id, sha256, bytes, state, leaf_index, body, device_time FROM clips
  WHERE case_ref = ? AND device_time >= ? AND device_time < ? ORDER BY device_time`;
const DIARY_SQL = 'SELECT id, started_ms, ended_ms, content, leaf_index FROM diary_entries WHERE case_ref = ? AND started_ms >= ? AND started_ms < ? ORDER BY started_ms, id';

const byTimeThenClipId = (a: ClipRow, b: ClipRow): number => a.device_time - b.device_time || (a.clip_id < b.clip_id ? -1 : a.clip_id > b.clip_id ? 1 : 0);

/** The case's evidence with a device time (events, clips) or start (diary) in [from, to). */
export function* evidenceItemsSteps(caseRef: string, from: number, to: number): Steps<EvidenceItems> {
  const { events: ev, gaps } = foldEvents(yield* all<EventRow>(EVENTS_SQL, caseRef, from, to));
  const clips = (yield* all<ClipRow>(CLIPS_SQL, caseRef, from, to)).sort(byTimeThenClipId);
  const diary = yield* all<DiaryRow>(DIARY_SQL, caseRef, from, to);
  return {
    events: ev,
    gaps,
    clips: clips.map((r) => {
      const m = JSON.parse(r.body) as Pick<ClipManifest, 'startedAt' | 'durationSeconds'>;
      return { deviceId: r.device, clipId: r.clip_id, eventId: r.event_id, start: m.startedAt, durationSeconds: m.durationSeconds, sha256: r.sha256, bytes: r.bytes, state: r.state, leafIndex: r.leaf_index };
    }),
    diary: diary.map((r) => ({ id: r.id, start: iso(r.started_ms), end: r.ended_ms === null ? null : iso(r.ended_ms), heard: diaryHeard(r.content), leafIndex: r.leaf_index })),
    thresholds: thresholdsOf(ev),
  };
}

/** The same, at once on the embedded store (the bundle's export reads it so). */
export function createEvidenceItemsReader(db: Db): (caseRef: string, from: number, to: number) => EvidenceItems {
  return (caseRef, from, to) => readNow(db, evidenceItemsSteps(caseRef, from, to));
}
