/**
 * Clock-sync status of a device over a deployment span, from its heartbeats
 * (issue 4: record and flag the clock offset; evidence is flagged when the clock
 * was unsynchronised or off by more than 2 s). Each heartbeat speaks for the time
 * until the next one (or the span's end).
 */
import type { Db } from '../db/open.ts';
import { type ClockInfo, clockFlag } from '../store/status.ts';
import type { DeploymentSpan } from './spans.ts';

export interface ClockSyncSummary {
  readonly status: 'ok' | 'degraded' | 'unknown';
  /** Largest |offset| reported, ms. */
  readonly maxOffsetMs: number | null;
  readonly unsyncedSeconds: number;
  readonly heartbeats: number;
  /** Share of heartbeats synchronised within 2 s (0 … 1), null without heartbeats. */
  readonly syncedShare: number | null;
}

type ClockFlag = ClockInfo['flag'];

interface Row { sent_at: number; clock_synced: number | null; clock_offset_ms: number | null }

export function createClockSyncReader(db: Db): (span: DeploymentSpan) => ClockSyncSummary {
  const rows = db.prepare<[string, number, number], Row>(
    'SELECT sent_at, clock_synced, clock_offset_ms FROM status WHERE device = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at, seq',
  );
  return (span) => {
    const list = rows.all(span.deviceId, span.from, span.to);
    if (list.length === 0) return { status: 'unknown', maxOffsetMs: null, unsyncedSeconds: 0, heartbeats: 0, syncedShare: null };
    let maxOffset: number | null = null;
    let unsyncedMs = 0;
    let bad = 0;
    list.forEach((r, i) => {
      if (r.clock_offset_ms !== null) maxOffset = Math.max(maxOffset ?? 0, Math.abs(r.clock_offset_ms));
      const flag = clockFlag(r.clock_synced === null ? null : r.clock_synced === 1, r.clock_offset_ms);
      // Synchronised with no offset estimate is not a fault (store/status.ts 'offset-unknown').
      if (flag === 'unsynchronised' || flag === 'sync-unknown' || flag === 'offset-over-2s') {
        bad++;
        unsyncedMs += (list[i + 1]?.sent_at ?? span.to) - r.sent_at;
      }
    });
    return {
      status: bad > 0 ? 'degraded' : 'ok',
      maxOffsetMs: maxOffset,
      unsyncedSeconds: unsyncedMs / 1000,
      heartbeats: list.length,
      syncedShare: (list.length - bad) / list.length,
    };
  };
}

/** What the last heartbeat in the span says of the input, for the equipment record. */
export function createInputReader(db: Db): (span: DeploymentSpan) => string {
  const last = db.prepare<[string, number, number], { body: string }>(
    'SELECT body FROM status WHERE device = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at DESC, seq DESC LIMIT 1',
  );
  return (span) => {
    const row = last.get(span.deviceId, span.from, Math.max(span.to, span.from + 1));
    if (row === undefined) return 'Not recorded (no heartbeat from the monitor in this period).';
    const b = JSON.parse(row.body) as { capture?: { source?: unknown }; mic?: { state?: unknown } };
    const source = typeof b.capture?.source === 'string' ? b.capture.source : 'unknown';
    const state = typeof b.mic?.state === 'string' ? b.mic.state : 'unknown';
    return `The monitor's microphone input "${source}"; microphone state "${state}" at its last heartbeat in the period.`;
  };
}

/** A device's clock flag from `t` on (until the next change). */
export interface ClockFlagChange {
  readonly t: number;
  readonly flag: ClockFlag;
}

/**
 * The flag a record at each instant of [from, to) carries (issue 10 item 4):
 * the heartbeat in force then — the latest sent at or before it — judged as the
 * store judges events (store/status.ts clockFlag); before any heartbeat,
 * 'no-heartbeat'. Only the changes are returned, in time order.
 */
export function createClockFlagReader(db: Db): (deviceId: string, from: number, to: number) => ClockFlagChange[] {
  const before = db.prepare<[string, number], Row>(
    'SELECT sent_at, clock_synced, clock_offset_ms FROM status WHERE device = ? AND sent_at <= ? ORDER BY sent_at DESC, seq DESC LIMIT 1',
  );
  const inside = db.prepare<[string, number, number], Row>(
    'SELECT sent_at, clock_synced, clock_offset_ms FROM status WHERE device = ? AND sent_at > ? AND sent_at < ? ORDER BY sent_at, seq',
  );
  const flagOf = (r: Row): ClockFlag => clockFlag(r.clock_synced === null ? null : r.clock_synced === 1, r.clock_offset_ms);
  return (deviceId, from, to) => {
    const first = before.get(deviceId, from);
    const out: ClockFlagChange[] = [{ t: from, flag: first === undefined ? 'no-heartbeat' : flagOf(first) }];
    for (const r of inside.all(deviceId, from, to)) {
      const flag = flagOf(r);
      if (flag !== out[out.length - 1]!.flag) out.push({ t: r.sent_at, flag });
    }
    return out;
  };
}

/** Walks ClockFlagChange lists forward (records come in time order): constant time per record. */
export class ClockFlagCursor {
  #i = 0;
  constructor(private readonly changes: readonly ClockFlagChange[]) {}

  /** The flag at `t`; `t` never decreasing between calls. */
  at(t: number): ClockFlag {
    const c = this.changes;
    while (this.#i + 1 < c.length && c[this.#i + 1]!.t <= t) this.#i++;
    return c[this.#i]?.flag ?? null;
  }

  /** When the flag last returned by at() next changes (+Infinity: never). */
  until(): number {
    return this.changes[this.#i + 1]?.t ?? Number.POSITIVE_INFINITY;
  }
}
