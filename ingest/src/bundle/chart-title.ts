/**
 * What a chart shows, in words that match it (issue 10 item 8): a whole night
 * (Noise Act 1996 s.2(6): 23:00 to 07:00) with the day either side, part of a
 * night, or a daytime period, with its first and last times in UK local time
 * and the monitor it is from. ASCII only, so it is also the PDF bookmark.
 */
import { londonDate, londonLocalToUtc, nextDate } from '../cases/london-time.ts';

const HOUR_MS = 3_600_000;

const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
const shortDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short' });
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const clockSeconds = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** "Mon 2 Nov 2026" (Intl writes "Mon, 2 Nov 2026"). */
const day = (ms: number): string => dayFormat.format(ms).replace(',', '');

/** 23:00 on `date` to 07:00 the next day, UTC ms (both exist once on every UK date: clocks change at 01:00 UTC). */
export function nightOf(date: string): { from: number; to: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = nextDate(date).split('-').map(Number) as [number, number, number];
  return { from: londonLocalToUtc(y, m, d, 23, 0)[0]!, to: londonLocalToUtc(y2, m2, d2, 7, 0)[0]! };
}

/** The night (23:00–07:00) overlapping [from, to) the most, with the local date it starts on; null if none does. */
export function nightWithin(from: number, to: number): { date: string; from: number; to: number } | null {
  let best: { date: string; from: number; to: number } | null = null;
  let bestOverlap = 0;
  for (let date = londonDate(from - 24 * HOUR_MS); ; date = nextDate(date)) {
    const n = nightOf(date);
    if (n.from >= to) break;
    const overlap = Math.min(to, n.to) - Math.max(from, n.from);
    if (overlap > bestOverlap) {
      best = { date, ...n };
      bestOverlap = overlap;
    }
  }
  return best;
}

/** "22:15 Mon 2 Nov": the time (with seconds when asked), and the day when the span crosses midnight. */
function at(ms: number, withDay: boolean, seconds: boolean): string {
  const time = (seconds ? clockSeconds : clock).format(ms);
  return withDay ? `${time} ${shortDay.format(ms).replace(',', '')}` : time;
}

export function chartTitle(from: number, to: number, deviceId: string): string {
  const night = nightWithin(from, to);
  // Days are named unless the whole chart lies within one date (the last instant shown is just before `to`).
  const withDays = night !== null || londonDate(from) !== londonDate(to - 1);
  // Seconds on a chart under an hour long whose ends are not on whole minutes (ten seconds would read "23:00 to 23:00").
  const seconds = to - from < HOUR_MS && (from % 60_000 !== 0 || to % 60_000 !== 0);
  const span = `${at(from, withDays, seconds)} to ${at(to, withDays, seconds)}`;
  const [y, m, d] = (night?.date ?? '').split('-').map(Number) as [number, number, number];
  const nightName = night === null ? '' : day(londonLocalToUtc(y, m, d, 12, 0)[0]!);
  let what: string;
  if (night === null) what = `${day(from)}, daytime`;
  else if (from <= night.from && to >= night.to) what = `Night of ${nightName}`;
  else what = `Part of the night of ${nightName}`;
  return `${what}: ${span}, monitor ${deviceId}`;
}
