/** Section 1: the case — reference, address, period, officer; the complainant only if the officer chose to name them. */
import { londonMinute } from '../london-clock.ts';
import { type SectionContext, duration, keyValues, paragraph, subheading } from './layout.ts';

export function renderCaseSummary({ doc, model, exhibits, clock }: SectionContext): void {
  const c = model.case;
  const periodSeconds = (Date.parse(model.period.to) - Date.parse(model.period.from)) / 1000;
  keyValues(doc, [
    ['Case reference', c.ref],
    ['Category', c.category],
    ['Address', c.address],
    ['Period covered', `${londonMinute(model.period.from, clock)} to ${londonMinute(model.period.to, clock)} (UK time), ${duration(periodSeconds)}`],
    ['Officer', `${c.officer.name} (${c.officer.initials})`],
    ['Complainant', c.complainant === null ? 'Not named in this bundle (withheld by the officer).' : `${c.complainant.name}${c.complainant.contact === undefined ? '' : `, ${c.complainant.contact}`}`],
    ...(c.openedAt === undefined ? [] : [['Case opened', londonMinute(c.openedAt, clock)] as const]),
    ['Bundle prepared', `${londonMinute(model.generatedAt, clock)} (UK time)`],
  ]);
  subheading(doc, 'At a glance');
  keyValues(doc, [
    ['Monitors deployed', String(model.deployments.length)],
    ['Events recorded', String(model.events.length)],
    ['Diary entries', String(model.diary.length)],
    ['Audio exhibits', String(exhibits.length)],
    ['Level records (1 s)', model.levelCount.toLocaleString('en-GB')],
  ]);
  paragraph(
    doc,
    'All times in this document are UK local time (GMT or BST as in force on the day). The data files in this bundle give every time in both UTC and UK local time.',
    { muted: true },
  );
}
