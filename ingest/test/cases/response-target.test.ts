import { describe, expect, it } from 'vitest';
import { ENGLAND_WALES_BANK_HOLIDAYS, isBankHoliday, ruleBankHolidays } from '../../src/cases/bank-holidays.ts';
import { responseTarget } from '../../src/cases/response-target.ts';

describe('England and Wales bank holidays', () => {
  it('the cited table agrees with the statutory rules for 2025–2030', () => {
    for (const year of [2025, 2026, 2027, 2028, 2029, 2030]) expect(ruleBankHolidays(year)).toEqual(ENGLAND_WALES_BANK_HOLIDAYS[year]);
  });

  it('every listed day is a weekday, and substitute days are used', () => {
    for (const days of Object.values(ENGLAND_WALES_BANK_HOLIDAYS)) {
      for (const d of days) expect([0, 6]).not.toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
    }
    expect(isBankHoliday('2026-12-28')).toBe(true); // Boxing Day 2026 is a Saturday
    expect(isBankHoliday('2026-12-26')).toBe(false);
    expect(isBankHoliday('2028-01-03')).toBe(true); // 1 January 2028 is a Saturday
  });

  it('falls back to the rules outside the table', () => {
    expect(isBankHoliday('2031-04-14')).toBe(true); // Easter Monday 2031 (Easter 13 April)
    expect(isBankHoliday('2031-04-15')).toBe(false);
  });
});

describe('response target', () => {
  it('high-risk: 24 hours from opening', () => {
    expect(responseTarget('high-risk', Date.parse('2026-03-02T09:00:00.000Z')).dueAt).toBe('2026-03-03T09:00:00.000Z');
  });

  it('general: end of the fifth working day after the opening day', () => {
    const t = responseTarget('general', Date.parse('2026-03-02T09:00:00.000Z')); // Monday
    expect(t).toEqual({ dueDate: '2026-03-09', dueAt: '2026-03-10T00:00:00.000Z' });
  });

  it('general: skips Good Friday and Easter Monday, and ends at London midnight in summer time', () => {
    const t = responseTarget('general', Date.parse('2026-04-02T10:00:00.000Z')); // Thursday before Easter
    expect(t).toEqual({ dueDate: '2026-04-13', dueAt: '2026-04-13T23:00:00.000Z' });
  });

  it('general: counts from the London date, not the UTC date', () => {
    // 23:30 UTC Friday is 00:30 Saturday in London (BST).
    expect(responseTarget('general', Date.parse('2026-06-05T23:30:00.000Z')).dueDate).toBe('2026-06-12');
    expect(responseTarget('general', Date.parse('2026-01-09T23:30:00.000Z')).dueDate).toBe('2026-01-16');
  });

  it('general: across Christmas with substitute days and New Year', () => {
    expect(responseTarget('general', Date.parse('2026-12-24T12:00:00.000Z')).dueDate).toBe('2027-01-05');
  });
});
