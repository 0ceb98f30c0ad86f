/**
 * The bundle's contact log (issue 12): each contact with the complainant in the
 * period — when, how, the officer's summary, by whom — and the response target
 * met or missed (cases/contacts.ts contactClock, over all the case's contacts).
 * The complainant is named only when the officer includes them (DESIGN §6,
 * `--include-complainant`): otherwise their name and contact details are
 * withheld from the summaries too.
 */
import { contactClock } from '../cases/contacts.ts';
import { showCase } from '../cases/case-queries.ts';
import type { Db } from '../db/open.ts';
import type { ContactEntry, ContactLog } from '../bundle/model.ts';
import type { Period } from './period.ts';

export const WITHHELD_NAME = '[the complainant]';
export const WITHHELD_CONTACT = '[contact details withheld]';

interface Row { at_ms: number; method: ContactEntry['method']; by_user: string; display_name: string | null; content: string | null; leaf_index: number }

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Patterns for the complainant's details: the contact as written, a phone
 * number's digits with any spacing, the whole name, and each word of the name
 * of three letters or more (a surname on its own: "Mrs Neighbour").
 */
export function complainantPatterns(c: { readonly name: string; readonly contact: string }): { readonly re: RegExp; readonly by: string }[] {
  const out: { re: RegExp; by: string }[] = [];
  const contact = c.contact.trim();
  if (contact.length > 0) out.push({ re: new RegExp(escape(contact), 'giu'), by: WITHHELD_CONTACT });
  const digits = contact.replace(/\D/g, '');
  if (digits.length >= 6) out.push({ re: new RegExp(digits.split('').join('[\\s().-]*'), 'g'), by: WITHHELD_CONTACT });
  const name = c.name.trim();
  if (name.length > 0) out.push({ re: new RegExp(`(?<![\\p{L}])${escape(name)}(?![\\p{L}])`, 'giu'), by: WITHHELD_NAME });
  for (const w of name.split(/[\s.,]+/u)) {
    if ([...w].length >= 3) out.push({ re: new RegExp(`(?<![\\p{L}])${escape(w)}(?![\\p{L}])`, 'giu'), by: WITHHELD_NAME });
  }
  return out;
}

export function withhold(text: string, patterns: readonly { readonly re: RegExp; readonly by: string }[]): string {
  let t = text;
  for (const p of patterns) t = t.replace(p.re, p.by);
  return t;
}

export function caseContacts(db: Db, caseRef: string, period: Period, includeComplainant: boolean, nowMs: number): ContactLog {
  const c = showCase(db, caseRef, { includeComplainant: true });
  const patterns = includeComplainant || c.complainant == null ? [] : complainantPatterns(c.complainant);
  const span = db.prepare<[string], { first: number | null; last: number | null }>('SELECT min(at_ms) AS first, max(at_ms) AS last FROM case_contacts WHERE case_ref = ?').get(caseRef);
  const clock = contactClock(c.status, c.responseDueAt, span?.first ?? null, span?.last ?? null, nowMs);
  const rows = db
    .prepare<[string, number, number], Row>(
      `SELECT k.at_ms, k.method, k.by_user, u.display_name, k.content, k.leaf_index
       FROM case_contacts k LEFT JOIN users u ON u.username = k.by_user
       WHERE k.case_ref = ? AND k.at_ms >= ? AND k.at_ms < ? ORDER BY k.at_ms, k.id`,
    )
    .all(caseRef, period.from, period.to);
  let withheld = false;
  const entries = rows.map((r): ContactEntry => {
    const raw = r.content === null ? null : (JSON.parse(r.content) as { summary?: unknown }).summary;
    let summary = typeof raw === 'string' ? raw : null;
    if (summary !== null && patterns.length > 0) {
      const kept = withhold(summary, patterns);
      if (kept !== summary) withheld = true;
      summary = kept;
    }
    return { at: new Date(r.at_ms).toISOString(), method: r.method, summary, by: r.display_name ?? r.by_user, leafIndex: r.leaf_index };
  });
  return { responseDueAt: new Date(c.responseDueAt).toISOString(), firstContactAt: clock.firstContactAt, responseTarget: clock.responseTarget, entries, withheld };
}
