/**
 * Is the system clock disciplined, and by how much is it off? Evidence is
 * timestamped by the device clock, so every heartbeat reports it (issue 4 flags
 * evidence whose clock was unsynchronised or off by more than 2 s).
 * Parsers are pure; `readClockSync` runs chronyc, then timedatectl, with a timeout.
 */
import { execFile } from 'node:child_process';

export interface ClockSync {
  synced: boolean | null;
  offsetMs: number | null;
  source: string;
}

export const CLOCK_UNKNOWN: ClockSync = { synced: null, offsetMs: null, source: 'unknown' };

/**
 * `chronyc -c tracking` (chrony's CSV tracking report): field 5 is "System time",
 * the offset of the system clock from NTP time in seconds; the last field is the
 * leap status, "Not synchronised" when chrony has no usable source.
 */
export function parseChronyTracking(csv: string): ClockSync | null {
  const fields = csv.trim().split(',');
  if (fields.length < 14) return null;
  const offsetS = Number(fields[4]);
  const leap = fields[fields.length - 1]!.trim();
  if (!Number.isFinite(offsetS)) return null;
  const synced = leap !== 'Not synchronised';
  return { synced, offsetMs: synced ? Math.round(offsetS * 1e6) / 1e3 : null, source: 'chrony' };
}

/** `timedatectl show -p NTPSynchronized --value`: "yes" or "no"; it gives no offset. */
export function parseTimedatectl(out: string): ClockSync | null {
  const v = out.trim();
  if (v !== 'yes' && v !== 'no') return null;
  return { synced: v === 'yes', offsetMs: null, source: 'timedatectl' };
}

function run(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 2000 }, (err, stdout) => resolve(err ? null : stdout));
  });
}

export async function readClockSync(): Promise<ClockSync> {
  const chrony = await run('chronyc', ['-c', 'tracking']);
  const c = chrony === null ? null : parseChronyTracking(chrony);
  if (c !== null) return c;
  const td = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  return (td === null ? null : parseTimedatectl(td)) ?? CLOCK_UNKNOWN;
}
