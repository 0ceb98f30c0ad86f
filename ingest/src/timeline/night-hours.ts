/**
 * Night hours to shade on the chart: Noise Act 1996 s.2(6), "night hours" are
 * 11 p.m. to the following 7 a.m., in local time (Europe/London, so the shading
 * follows the clock changes).
 */
import { londonDate, londonLocalToUtc, nextDate } from '../cases/london-time.ts';

export interface Interval {
  readonly from: string;
  readonly to: string;
}

/** Noise Act 1996 s.2(6). */
const NIGHT_START_HOUR = 23;
const NIGHT_END_HOUR = 7;

function at(date: string, hour: number): number | undefined {
  const [y, m, d] = date.split('-').map(Number);
  return londonLocalToUtc(y ?? 0, m ?? 0, d ?? 0, hour, 0)[0];
}

/** The nights overlapping [from, to), clipped to it. */
export function nightHours(from: number, to: number): Interval[] {
  const out: Interval[] = [];
  let date = londonDate(from - 24 * 3_600_000);
  const last = londonDate(to);
  for (let guard = 0; guard < 1_000 && date <= last; guard++) {
    const next = nextDate(date);
    const start = at(date, NIGHT_START_HOUR);
    const end = at(next, NIGHT_END_HOUR);
    if (start !== undefined && end !== undefined && end > from && start < to) {
      out.push({ from: new Date(Math.max(start, from)).toISOString(), to: new Date(Math.min(end, to)).toISOString() });
    }
    date = next;
  }
  return out;
}
