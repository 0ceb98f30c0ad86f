/** Status heartbeats, and the device clock as the last heartbeat reported it (issue 4: record and flag the clock offset). */
import type { StatusBody } from '@earshot/shared';
import type { Db } from '../db/open.ts';

export interface ClockInfo {
  /** From the device's last heartbeat; null when it never sent one or did not know. */
  synced: boolean | null;
  offsetMs: number | null;
  /**
   * Why the device time of this evidence is not to be trusted to 2 s, or null.
   * 'implausible-time': before 2020 or over a day after receipt (issue 11 item 13,
   * pipeline/device-time.ts); set by the pipeline, never by clockFlag below.
   */
  flag: 'no-heartbeat' | 'sync-unknown' | 'unsynchronised' | 'offset-unknown' | 'offset-over-2s' | 'implausible-time' | null;
}

/** Issue 4: flag evidence whose device clock was off by more than 2 s. */
export const MAX_CLOCK_OFFSET_MS = 2_000;

export interface StatusStore {
  write(device: string, seq: number, sentAt: number, receivedAt: number, body: StatusBody): void;
  /** The clock as of the device's latest heartbeat (by seq). */
  clock(device: string): ClockInfo;
}

/**
 * `synced` null: the monitor could not ask its clock service (no chrony or
 * timedatectl to answer), so its time is not known to be right — but it is not
 * known to be wrong either, and the flag says which.
 */
export function clockFlag(synced: boolean | null, offsetMs: number | null): ClockInfo['flag'] {
  if (synced === null) return 'sync-unknown';
  if (!synced) return 'unsynchronised';
  if (offsetMs === null) return 'offset-unknown';
  return Math.abs(offsetMs) > MAX_CLOCK_OFFSET_MS ? 'offset-over-2s' : null;
}

export function createStatusStore(db: Db): StatusStore {
  const insert = db.prepare<[string, number, number, number, number | null, number | null, string]>(
    'INSERT INTO status (device, seq, sent_at, received_at, clock_synced, clock_offset_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const latest = db.prepare<[string], { clock_synced: number | null; clock_offset_ms: number | null }>(
    'SELECT clock_synced, clock_offset_ms FROM status WHERE device = ? ORDER BY seq DESC LIMIT 1',
  );
  return {
    write(device, seq, sentAt, receivedAt, body) {
      const synced = body.clock.synced === null ? null : body.clock.synced ? 1 : 0;
      insert.run(device, seq, sentAt, receivedAt, synced, body.clock.offsetMs, JSON.stringify(body));
    },
    clock(device) {
      const row = latest.get(device);
      if (row === undefined) return { synced: null, offsetMs: null, flag: 'no-heartbeat' };
      const synced = row.clock_synced === null ? null : row.clock_synced === 1;
      return { synced, offsetMs: row.clock_offset_ms, flag: clockFlag(synced, row.clock_offset_ms) };
    },
  };
}
