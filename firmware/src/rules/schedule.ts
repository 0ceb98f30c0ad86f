/**
 * A rule's schedule as a predicate on local time. A window whose end is not after
 * its start crosses midnight and belongs to the day it starts on: "sat 23:00–07:00"
 * is armed from Saturday 23:00 to Sunday 07:00 local time. On the spring-forward
 * night such a window is an hour shorter in real time, on the fall-back night an
 * hour longer, as the wall clock says.
 */
import { WEEKDAYS, type Schedule } from '@earshot/shared';
import type { LocalTime } from './local-time.ts';

export interface CompiledSchedule {
  /** Bit d set: armed on weekday d (0 = Monday). */
  readonly days: number;
  readonly startSecond: number;
  readonly endSecond: number;
}

function secondsOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 3_600 + Number(hhmm.slice(3, 5)) * 60;
}

export function compileSchedule(s: Schedule): CompiledSchedule {
  let days = 0;
  for (const d of s.days) days |= 1 << WEEKDAYS.indexOf(d);
  return { days, startSecond: secondsOf(s.start), endSecond: secondsOf(s.end) };
}

export function isArmed(s: CompiledSchedule | null, t: LocalTime): boolean {
  if (s === null) return true;
  const today = (s.days >> t.weekday) & 1;
  if (s.startSecond < s.endSecond) return today === 1 && t.secondOfDay >= s.startSecond && t.secondOfDay < s.endSecond;
  // Crosses midnight: this evening's window, or the tail of yesterday's.
  const yesterday = (s.days >> ((t.weekday + 6) % 7)) & 1;
  return (today === 1 && t.secondOfDay >= s.startSecond) || (yesterday === 1 && t.secondOfDay < s.endSecond);
}
