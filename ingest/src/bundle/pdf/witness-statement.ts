/**
 * A draft witness statement for the officer who produces the exhibits, in the
 * form CPR Practice Direction 32 sets out: the heading of para 17.1 (party,
 * witness's initials and surname, statement number, exhibits, date), the
 * witness's name, work address and position (para 18.1), numbered paragraphs in
 * the first person (para 19.1), each exhibit produced by its reference (paras
 * 11.3, 18.3: "I produce exhibit JS/1"), and the statement of truth in the
 * words of CPR PD 22 para 2.1 (CPR 22.1(1)(c)), with the signature, name,
 * position and date left blank for the officer. Facts the system cannot know
 * (the officer's own visits and contacts) are left as blanks to complete.
 */
import { type Exhibit, PHONE_RECORDING_LABEL, identicalExhibits } from '../exhibits.ts';
import { londonMinute } from '../london-clock.ts';
import { EARSHOT_VERSION } from '../../version.ts';
import { COLOUR, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, blankLines, blankLinesHeight, numberedParagraph, paragraph, paragraphHeight, printable, subheading } from './layout.ts';
import { coverage, describeExhibit, eventsOfExhibits } from './exhibit-text.ts';

/** CPR PD 22 para 2.1, the form of a witness statement's statement of truth (in force from 6 April 2020). */
export const STATEMENT_OF_TRUTH =
  'I believe that the facts stated in this witness statement are true. I understand that proceedings for contempt of court may be brought against anyone who makes, or causes to be made, a false statement in a document verified by a statement of truth without an honest belief in its truth.';

const BLANK = '______________';

/** "Jo Smith" → "J. Smith" (PD 32 para 17.1(2): the initials and surname of the witness). */
export function initialsAndSurname(name: string): string {
  const parts = name.trim().split(/\s+/);
  const surname = parts.pop() ?? name;
  return [...parts.map((p) => `${p.charAt(0).toUpperCase()}.`), surname].join(' ');
}

/** "JS/1 to JS/4", "JS/1", "none". */
export function exhibitRange(exhibits: readonly Exhibit[]): string {
  if (exhibits.length === 0) return 'none';
  if (exhibits.length === 1) return exhibits[0]!.ref;
  return `${exhibits[0]!.ref} to ${exhibits.at(-1)!.ref}`;
}

function headingBlock(ctx: SectionContext): void {
  const { doc, model, exhibits } = ctx;
  // PD 32 para 17.1: in the top right-hand corner of the first page.
  const x = MARGIN.left + CONTENT_WIDTH - 230;
  const rows: [string, string][] = [
    ['Party', `Claimant (${BLANK})`],
    ['Witness', initialsAndSurname(model.case.officer.name)],
    ['Statement no.', '1'],
    ['Exhibits', exhibitRange(exhibits)],
    ['Date', BLANK],
    ['Case reference', model.case.ref],
  ];
  let y = doc.y;
  doc.fontSize(SIZE.small);
  for (const [k, v] of rows) {
    doc.font(FONT.bold).fillColor(COLOUR.text).text(k, x, y, { width: 78, lineBreak: false });
    doc.font(FONT.regular).text(printable(v), x + 80, y, { width: 150, lineBreak: false });
    y += 11;
  }
  doc.x = MARGIN.left;
  doc.y = y + 8;
  doc.font(FONT.regular).fontSize(SIZE.body).text(`IN THE COUNTY COURT AT ${BLANK}          Claim no. ${BLANK}`, MARGIN.left, doc.y, { width: CONTENT_WIDTH, align: 'center' });
  doc.moveDown(0.4);
  doc.text(`BETWEEN ${BLANK} (Claimant) and ${BLANK} (Defendant)`, { width: CONTENT_WIDTH, align: 'center' });
  doc.moveDown(0.8);
  doc.font(FONT.bold).fontSize(SIZE.subheading).text(printable(`DRAFT WITNESS STATEMENT OF ${model.case.officer.name.toUpperCase()}`), MARGIN.left, doc.y, { width: CONTENT_WIDTH, align: 'center' });
  doc.moveDown(0.6);
}

export function renderWitnessStatement(ctx: SectionContext, _bookmark: (label: string) => void, zipName: string): void {
  const { doc, model, exhibits, clock } = ctx;
  const c = model.case;
  paragraph(
    doc,
    `A draft prepared from the records in this bundle, for the officer to check, complete and sign. Complete the blanks (${BLANK}), add what you saw and did yourself, and remove anything you cannot confirm before signing. It is not a statement until signed.`,
    { muted: true },
  );
  headingBlock(ctx);
  const period = `${londonMinute(model.period.from, clock)} to ${londonMinute(model.period.to, clock)} (UK time)`;
  const devices = [...new Set(model.deployments.map((d) => d.deviceId))];
  const paras: string[] = [
    `I, ${c.officer.name}, of ${BLANK} (work address), am employed by ${BLANK} (the landlord) as ${BLANK} (position). I am the officer responsible for anti-social behaviour case ${c.ref}, which concerns noise reported at ${c.address}. I make this statement from my own knowledge, except where I say that a fact comes from the records described below, which I believe to be true.`,
    `The case was ${c.openedAt === undefined ? 'opened' : `opened on ${londonMinute(c.openedAt, clock).slice(0, 10)}`} and is categorised as ${c.category}. ${BLANK} (how the complaint came to me and what I did about it).`,
    devices.length === 0
      ? `No noise monitor was deployed for this case in the period ${period}, so there are no measurements for it.`
      : `In the period ${period}, ${devices.length === 1 ? 'a noise monitor' : `${devices.length} noise monitors`} of the Earshot system (version ${EARSHOT_VERSION}) ${devices.length === 1 ? 'was' : 'were'} installed at that address: ${model.deployments
          .map((d) => `monitor ${d.deviceId}, installed on ${londonMinute(d.installedAt, clock)} by ${d.installedBy}${d.removedAt === null ? ' and still in place' : `, removed on ${londonMinute(d.removedAt, clock)}`}`)
          .join('; ')}. Each monitor measures sound levels every second in the way a sound level meter does, and keeps a short audio recording when one of the rules set for the case is triggered or the resident presses its incident button. It signs each record, and the landlord's server enters every record it receives in a tamper-evident log.`,
    `On ${londonMinute(model.generatedAt, clock)} I exported those records for the period as the court bundle ${zipName}. It holds this document, the audio recordings as files in its exhibits folder, the measurements, events and diary entries as data files, and the log entries with the means to check them (the integrity statement in this document). It records ${model.events.length} ${model.events.length === 1 ? 'event' : 'events'} and ${model.diary.length} diary ${model.diary.length === 1 ? 'entry' : 'entries'}.`,
  ];
  let n = 0;
  for (const p of paras) numberedParagraph(doc, ++n, p);
  const covered = eventsOfExhibits(ctx);
  const same = identicalExhibits(exhibits);
  if (exhibits.length === 0 && ctx.recordings.length === 0) numberedParagraph(doc, ++n, 'No audio recordings were kept in the period, so I produce no audio exhibits.');
  for (const x of exhibits) {
    const twins = same.get(x.ref);
    numberedParagraph(
      doc,
      ++n,
      `I produce exhibit ${x.ref}, an ${describeExhibit(ctx, x).replace(/^Audio/, 'audio')}, which is the file ${x.file} in the bundle (SHA-256 ${x.clip.sha256}). ${coverage(ctx, covered.get(x.ref))}${twins === undefined ? '' : ` Its file is identical, byte for byte, to exhibit ${twins.join(', ')}: the same recording, stored twice.`}`,
    );
  }
  // Issue 13: the resident's phone recordings, exhibits of their own, never calibrated.
  for (const r of ctx.recordings) {
    numberedParagraph(
      doc,
      ++n,
      `I produce exhibit ${r.ref}, a recording the resident made on their own phone and sent with their diary entry of ${londonMinute(r.recording.at, clock)} (UK time), which is the file ${r.file} in the bundle (SHA-256 ${r.recording.sha256}). It is ${PHONE_RECORDING_LABEL}: a phone does not measure how loud the noise was.`,
    );
  }
  numberedParagraph(doc, ++n, `${BLANK} (what I saw, heard and did myself: visits, contact with the resident and the neighbour, warnings and other action taken, with dates).`);

  // CPR PD 22 para 2.1: the statement of truth is signed beneath it, so it and its signature block share a page.
  const signature = ['Signed', 'Full name', 'Position or role', 'Date'];
  subheading(doc, 'Statement of truth', paragraphHeight(doc, STATEMENT_OF_TRUTH) + blankLinesHeight(signature));
  paragraph(doc, STATEMENT_OF_TRUTH);
  blankLines(doc, signature);
}
