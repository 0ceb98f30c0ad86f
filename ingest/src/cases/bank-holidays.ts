/**
 * Bank holidays in England and Wales. The table is the published list
 * (https://www.gov.uk/bank-holidays, "England and Wales"; 2025–2027 as published
 * there, 2028–2030 from the same statutory rules, to be checked against gov.uk
 * when it publishes them, since a royal proclamation can move or add a day, as in
 * 2020, 2022 and 2023). Years outside the table fall back to the rules below.
 */

/** gov.uk/bank-holidays, England and Wales. */
export const ENGLAND_WALES_BANK_HOLIDAYS: Readonly<Record<number, readonly string[]>> = {
  2025: ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26'],
  2026: ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'],
  2027: ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'],
  2028: ['2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26'],
  2029: ['2029-01-01', '2029-03-30', '2029-04-02', '2029-05-07', '2029-05-28', '2029-08-27', '2029-12-25', '2029-12-26'],
  2030: ['2030-01-01', '2030-04-19', '2030-04-22', '2030-05-06', '2030-05-27', '2030-08-26', '2030-12-25', '2030-12-26'],
};

const DAY_MS = 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Easter Sunday (Gregorian), the anonymous algorithm (Meeus, Astronomical Algorithms, ch. 8). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

function firstMonday(year: number, month: number): number {
  let t = Date.UTC(year, month, 1);
  while (new Date(t).getUTCDay() !== 1) t += DAY_MS;
  return t;
}

function lastMonday(year: number, month: number): number {
  let t = Date.UTC(year, month + 1, 0);
  while (new Date(t).getUTCDay() !== 1) t -= DAY_MS;
  return t;
}

function isWeekend(t: number): boolean {
  const d = new Date(t).getUTCDay();
  return d === 0 || d === 6;
}

/**
 * The bank holidays of a year by the rules of the Banking and Financial Dealings
 * Act 1971 Schedule 1 (Easter Monday, last Monday in May and August, 26 December
 * or the next weekday) and the proclamations that add 1 January, Good Friday and
 * the first Monday in May, with substitute weekdays when a day falls at a weekend.
 */
export function ruleBankHolidays(year: number): string[] {
  const easter = easterSunday(year);
  let newYear = Date.UTC(year, 0, 1);
  while (isWeekend(newYear)) newYear += DAY_MS;
  // 25 and 26 December: each taken on the next weekday not already taken.
  let christmas = Date.UTC(year, 11, 25);
  while (isWeekend(christmas)) christmas += DAY_MS;
  let boxing = christmas + DAY_MS;
  while (isWeekend(boxing)) boxing += DAY_MS;
  return [newYear, easter - 2 * DAY_MS, easter + DAY_MS, firstMonday(year, 4), lastMonday(year, 4), lastMonday(year, 7), christmas, boxing].map(iso);
}

const cache = new Map<number, ReadonlySet<string>>();

/** Is this date (YYYY-MM-DD) a bank holiday in England and Wales? */
export function isBankHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  let days = cache.get(year);
  if (days === undefined) {
    days = new Set(ENGLAND_WALES_BANK_HOLIDAYS[year] ?? ruleBankHolidays(year));
    cache.set(year, days);
  }
  return days.has(date);
}
