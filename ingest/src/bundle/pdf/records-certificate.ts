/**
 * A certificate under the Civil Evidence Act 1995 s.9 for the landlord's
 * officer to sign: s.9(1) lets a document that forms part of the records of a
 * business or public authority be received in evidence without further proof;
 * s.9(2)(a) takes it to be such a record when a certificate to that effect,
 * signed by an officer of the business or authority, is produced. s.9(4):
 * "records" are records in whatever form; an "officer" includes anyone in a
 * responsible position in relation to the relevant activities. The certificate
 * names the system that produced the records, its version, the monitors and
 * the period.
 */
import { londonMinute } from '../london-clock.ts';
import { EARSHOT_VERSION } from '../../version.ts';
import { COLOUR, FONT, SIZE, type SectionContext, blankLines, blankLinesHeight, numberedParagraph, paragraph, subheading } from './layout.ts';
import { exhibitRange } from './witness-statement.ts';

const BLANK = '______________';

export function renderRecordsCertificate(ctx: SectionContext, _bookmark: (label: string) => void, zipName: string): void {
  const { doc, model, exhibits, clock } = ctx;
  const period = `${londonMinute(model.period.from, clock)} to ${londonMinute(model.period.to, clock)} (UK time)`;
  const devices = [...new Set(model.deployments.map((d) => d.deviceId))];
  paragraph(doc, 'For an officer of the landlord who is responsible for the records (not necessarily the officer who made the witness statement) to complete and sign.', { muted: true });
  doc.font(FONT.bold).fontSize(SIZE.subheading).fillColor(COLOUR.text).text('Certificate under section 9 of the Civil Evidence Act 1995 (records of a business or public authority)');
  doc.moveDown(0.6);
  const paras = [
    `I, ${BLANK} (full name), hold the position of ${BLANK} with ${BLANK} (the landlord), which is a public authority / a business (delete as appropriate). I hold a responsible position in relation to the activities for which the records described below were made (section 9(4) of the Act).`,
    `I certify that the documents described in paragraph 3 form part of the records of the landlord. They were made in the course of the landlord's housing management, for anti-social behaviour case ${model.case.ref}, by the noise-evidence system Earshot version ${EARSHOT_VERSION}, operated by the landlord on its own server. The measurements and audio recordings were made automatically by ${devices.length === 0 ? 'no monitor (none was deployed in the period)' : `the ${devices.length === 1 ? 'monitor' : 'monitors'} ${devices.join(', ')}`}, each of which signs every record it sends; the server entered each record in a tamper-evident log when it was received.`,
    `The documents are those in the bundle ${zipName}: this document (bundle.pdf), the audio recordings ${exhibits.length === 0 ? '(none in this period)' : `${exhibitRange(exhibits)} in its exhibits folder`}, ${ctx.recordings.length === 0 ? '' : `the resident's phone recordings ${ctx.recordings.map((r) => r.ref).join(', ')} in the same folder (sent by the resident with their diary entries, not made by the landlord's system), `}the data files in its data folder and the log extract in its evidence folder, each listed with its SHA-256 fingerprint in MANIFEST.sha256. They cover the period ${period} and were compiled on ${londonMinute(model.generatedAt, clock)} (UK time).`,
    `To the best of my knowledge the system was operating properly throughout that period, or, if not, any respect in which it was not did not affect the making of these records or their accuracy, except as\u00a0follows: ${BLANK}.`,
  ];
  // A blank never starts a line alone: the word before it is joined to it by a no-break space (UAX #14 class GL), as in
  // exhibit-labels.ts, so the line breaker moves them together.
  paras.forEach((p, i) => numberedParagraph(doc, i + 1, p.replaceAll(` ${BLANK}`, `\u00a0${BLANK}`)));
  const signature = ['Signed', 'Full name', 'Position', 'Date'];
  subheading(doc, 'Signed by the officer of the landlord', blankLinesHeight(signature));
  blankLines(doc, signature);
}
