/**
 * The response target of a case: when the officer must first contact the
 * complainant. Landlord ASB policy (issue 4): high-risk cases within 24 hours,
 * general cases within 5 working days. A working day is a weekday that is not an
 * England and Wales bank holiday; the day the case is opened does not count, and
 * the target lapses at the end of the fifth working day (Europe/London).
 */
import { isBankHoliday } from './bank-holidays.ts';
import { londonDate, londonMidnight, nextDate } from './london-time.ts';

export type CaseCategory = 'high-risk' | 'general';

/** Landlord ASB policy (issue 4): high-risk → first contact within 24 h. */
export const HIGH_RISK_RESPONSE_MS = 24 * 3_600_000;
/** Landlord ASB policy (issue 4): general → first contact within 5 working days. */
export const GENERAL_RESPONSE_WORKING_DAYS = 5;

export function isWorkingDay(date: string): boolean {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6 && !isBankHoliday(date);
}

/** The local date that is `n` working days after `date` (n ≥ 1). */
export function addWorkingDays(date: string, n: number): string {
  let d = date;
  for (let counted = 0; counted < n; ) {
    d = nextDate(d);
    if (isWorkingDay(d)) counted++;
  }
  return d;
}

export interface ResponseTarget {
  /** The instant the target lapses (ISO UTC). */
  readonly dueAt: string;
  /** The last local day (Europe/London) on which the target is met. */
  readonly dueDate: string;
}

export function responseTarget(category: CaseCategory, openedAtMs: number): ResponseTarget {
  if (category === 'high-risk') {
    const due = openedAtMs + HIGH_RISK_RESPONSE_MS;
    return { dueAt: new Date(due).toISOString(), dueDate: londonDate(due) };
  }
  const dueDate = addWorkingDays(londonDate(openedAtMs), GENERAL_RESPONSE_WORKING_DAYS);
  return { dueAt: new Date(londonMidnight(nextDate(dueDate))).toISOString(), dueDate };
}
