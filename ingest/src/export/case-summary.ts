/**
 * Section 1: the case as the bundle names it. The complainant only when the
 * officer chose to include them (cases/case-queries.ts gives it only when asked).
 */
import { showCase } from '../cases/case-queries.ts';
import type { Db } from '../db/open.ts';
import type { BundleCase } from '../bundle/model.ts';
import type { z } from 'zod';

/** Shown once the retention purge has removed the address (the leaf still commits to it). */
export const PURGED_ADDRESS = 'Removed under the retention policy.';

/**
 * "Jo Smith" → "JS": the first letter of each word, at most 4, as exhibit
 * initials are written (2–4 capitals, bundle/exhibits.ts); a one-word name gives
 * its first two letters ("Smith" → "SM").
 */
export function initialsOf(name: string): string {
  const firsts = name.split(/[\s.-]+/).map((w) => w.charAt(0).toUpperCase()).filter((c) => /[A-Z]/.test(c)).join('');
  if (firsts.length >= 2) return firsts.slice(0, 4);
  const letters = name.toUpperCase().replace(/[^A-Z]/g, '');
  return letters.length >= 2 ? letters.slice(0, 2) : 'XX';
}

/**
 * The officer a case is assigned to, as the bundle names them: the account's
 * name and initials (the case holds the username, cases/assigned-officer.ts);
 * a case from before accounts, or whose account is gone, by what it holds.
 */
function officerOf(db: Db, officer: string): { name: string; initials: string } {
  const account = db.prepare<[string], { display_name: string; initials: string }>('SELECT display_name, initials FROM users WHERE username = ?').get(officer);
  return account === undefined ? { name: officer, initials: initialsOf(officer) } : { name: account.display_name, initials: account.initials };
}

export function bundleCase(db: Db, caseRef: string, includeComplainant: boolean): z.infer<typeof BundleCase> {
  const c = showCase(db, caseRef, { includeComplainant });
  return {
    ref: c.ref,
    category: c.category,
    address: c.address ?? PURGED_ADDRESS,
    officer: officerOf(db, c.officer),
    complainant: includeComplainant && c.complainant != null ? { name: c.complainant.name, contact: c.complainant.contact } : null,
    openedAt: new Date(c.openedAt).toISOString(),
  };
}
