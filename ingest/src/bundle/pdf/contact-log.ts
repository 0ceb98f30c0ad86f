/**
 * Contact with the complainant (issue 12): the response target — first contact
 * within the category's time (landlord ASB policy) — met or missed, then each
 * contact in the period: when, how, the officer's summary and who made it, with
 * its evidence-log entry. Weekly contact (a tenant scrutiny panel's
 * recommendation, issue 12) is shown as the longest interval between contacts.
 * The complainant is named only when the bundle names them (export/contacts.ts).
 */
import type { ContactEntry } from '../model.ts';
import { londonMinute } from '../london-clock.ts';
import { type SectionContext, keyValues, nothingToShow, paragraph } from './layout.ts';
import { drawTable } from './table.ts';

const METHOD: Record<ContactEntry['method'], string> = { visit: 'Visit', phone: 'Phone call', email: 'Email', letter: 'Letter', text: 'Text message' };
/** Issue 12: "contact with the complainant at least weekly". */
const WEEK_MS = 7 * 86_400_000;

function target(ctx: SectionContext): string {
  const log = ctx.model.contacts!;
  const due = londonMinute(log.responseDueAt, ctx.clock);
  if (log.responseTarget === 'met') return `Met: first contact ${londonMinute(log.firstContactAt!, ctx.clock)}, due by ${due}.`;
  if (log.responseTarget === 'missed') return log.firstContactAt === null ? `Missed: no contact recorded; it was due by ${due}.` : `Missed: first contact ${londonMinute(log.firstContactAt, ctx.clock)}, due by ${due}.`;
  return `Not yet due: first contact due by ${due}.`;
}

function longestInterval(entries: readonly ContactEntry[]): number | null {
  let longest: number | null = null;
  for (let i = 1; i < entries.length; i++) {
    const gap = Date.parse(entries[i]!.at) - Date.parse(entries[i - 1]!.at);
    if (longest === null || gap > longest) longest = gap;
  }
  return longest;
}

export function renderContactLog(ctx: SectionContext): void {
  const { doc, model } = ctx;
  const log = model.contacts;
  if (log === undefined) {
    nothingToShow(doc, 'No contact log was kept for this case when the bundle was made.');
    return;
  }
  const longest = longestInterval(log.entries);
  keyValues(doc, [
    ['Response target', target(ctx)],
    ['Contacts in the period', String(log.entries.length)],
    ...(longest === null ? [] : [['Longest interval', `${(longest / 86_400_000).toFixed(1)} days between contacts in the period (${longest > WEEK_MS ? 'over' : 'within'} the weekly contact the landlord's policy asks for)`] as const]),
  ]);
  if (log.entries.length === 0) {
    nothingToShow(doc, 'No contact with the complainant was recorded in this period.');
    return;
  }
  drawTable(
    doc,
    [
      { header: 'No.', width: 24 },
      { header: 'When (UK time)', width: 84 },
      { header: 'How', width: 62 },
      { header: 'Summary (the officer\'s words)', width: 230 },
      { header: 'By', width: 70 },
      { header: 'Log entry', width: 36, align: 'right' },
    ],
    log.entries.map((e, i) => [
      String(i + 1),
      londonMinute(e.at, ctx.clock),
      METHOD[e.method],
      e.summary ?? 'Removed under the retention policy (the log entry still commits to it).',
      e.by,
      String(e.leafIndex),
    ]),
  );
  if (log.withheld) {
    paragraph(doc, 'The complainant is not named in this bundle: where a summary gave their name or contact details, these are shown as [the complainant] or [contact details withheld].', { muted: true });
  }
}
