/**
 * Europe/London wall-clock time of an instant, for rule schedules, across the
 * GMT/BST changes. Asked once per second, so it keeps one Intl answer per UTC hour:
 * London's offset is a whole hour (0 or +1) and changes only at 01:00 UTC
 * (Summer Time Act 1972 s.1 as amended by the Summer Time Order 2002: BST runs from
 * 01:00 GMT on the last Sunday of March to 01:00 GMT on the last Sunday of October),
 * so every instant in one UTC hour shares its local weekday and hour.
 */

export const SCHEDULE_TIME_ZONE = 'Europe/London';

const MS_PER_HOUR = 3_600_000;
const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** A local time: weekday (0 = Monday … 6 = Sunday) and seconds since local midnight. */
export interface LocalTime {
  weekday: number;
  secondOfDay: number;
}

export class LondonClock {
  private readonly format = new Intl.DateTimeFormat('en-GB', { timeZone: SCHEDULE_TIME_ZONE, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
  private cachedHour = Number.NaN;
  private cachedWeekday = 0;
  private cachedLocalHour = 0;

  /** Local time of `epochMs`, written into `out` (no allocation once the hour is cached). */
  localTime(epochMs: number, out: LocalTime): LocalTime {
    const hour = Math.floor(epochMs / MS_PER_HOUR);
    if (hour !== this.cachedHour) this.load(hour);
    out.weekday = this.cachedWeekday;
    out.secondOfDay = this.cachedLocalHour * 3_600 + (epochMs - hour * MS_PER_HOUR) / 1_000;
    return out;
  }

  private load(hour: number): void {
    let weekday = -1;
    let localHour = -1;
    for (const part of this.format.formatToParts(hour * MS_PER_HOUR)) {
      if (part.type === 'weekday') weekday = WEEKDAY_INDEX[part.value] ?? -1;
      else if (part.type === 'hour') localHour = Number(part.value);
    }
    if (weekday < 0 || !(localHour >= 0 && localHour < 24)) throw new Error(`unexpected ${SCHEDULE_TIME_ZONE} time at ${new Date(hour * MS_PER_HOUR).toISOString()}`);
    this.cachedHour = hour;
    this.cachedWeekday = weekday;
    this.cachedLocalHour = localHour;
  }
}
