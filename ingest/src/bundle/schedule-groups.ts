/**
 * The schedule's grouping (issue 10): night hours are 11 p.m. to the following
 * 7 a.m. UK time (Noise Act 1996 s.2(6)), so an event at 02:00 on Tuesday is in
 * the "Night of Mon 2 Nov 2026"; events from 07:00 to 23:00 are under their day.
 * Local time comes from the Europe/London offset at the instant, so the groups
 * follow the clock changes.
 */
import { LondonClock } from './london-clock.ts';

/** Noise Act 1996 s.2(6). */
const NIGHT_START_HOUR = 23;
const NIGHT_END_HOUR = 7;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export interface ScheduleGroup {
  /** The local date the group is named after, YYYY-MM-DD, and whether it is the night beginning on it. */
  readonly date: string;
  readonly night: boolean;
  /** "Night of Mon 2 Nov 2026 (23:00–07:00)" or "Mon 2 Nov 2026, daytime (07:00–23:00)". */
  readonly label: string;
}

/** "Mon 2 Nov 2026" for a local date YYYY-MM-DD. */
export function dayName(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${WEEKDAYS[wd]} ${d} ${MONTHS[m - 1]} ${y}`;
}

export function scheduleGroup(ms: number, clock: LondonClock = new LondonClock()): ScheduleGroup {
  const local = new Date(ms + clock.offsetMs(ms));
  const hour = local.getUTCHours();
  if (hour >= NIGHT_END_HOUR && hour < NIGHT_START_HOUR) {
    const date = local.toISOString().slice(0, 10);
    return { date, night: false, label: `${dayName(date)}, daytime (07:00–23:00)` };
  }
  // Before 07:00 belongs to the night that began the evening before.
  const day = hour < NIGHT_END_HOUR ? new Date(local.getTime() - 86_400_000) : local;
  const date = day.toISOString().slice(0, 10);
  return { date, night: true, label: `Night of ${dayName(date)} (23:00–07:00)` };
}
