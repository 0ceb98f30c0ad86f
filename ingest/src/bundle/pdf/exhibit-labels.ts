/**
 * One label sheet per exhibit, to go with the exhibit when it is produced
 * (CPR PD 32 para 11.3: an exhibit is verified and identified by the witness
 * and kept separate from the statement; the label names it and the statement
 * it belongs to). The audio itself cannot carry a label, so the sheet names
 * the file and its SHA-256, which identify it exactly.
 */
import { PHONE_RECORDING_LABEL, identicalExhibits } from '../exhibits.ts';
import { londonMinute } from '../london-clock.ts';
import { COLOUR, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, blankLines, keyValues, nothingToShow, printable } from './layout.ts';
import { coverage, describeExhibit, eventsOfExhibits } from './exhibit-text.ts';

/** Room between the label's box and its text, pt. */
const LABEL_INSET = 12;
/** The blank for the date the statement is made. */
const DATE_BLANK = '_'.repeat(14);
/** The smallest size the identification line is set in to keep it on one line: the body text's. */
const LINE_SMALLEST = SIZE.body;

export function renderExhibitLabels(ctx: SectionContext, bookmark: (label: string) => void): void {
  const { doc, exhibits } = ctx;
  if (exhibits.length === 0 && ctx.recordings.length === 0) {
    nothingToShow(doc, 'There are no audio exhibits in this period, so there are no exhibit labels.');
    return;
  }
  const covered = eventsOfExhibits(ctx);
  const same = identicalExhibits(exhibits);
  let first = true;
  const label = (ref: string, rows: [string, string][]): void => {
    if (!first) {
      doc.addPage();
      doc.y = MARGIN.top;
    }
    first = false;
    bookmark(`Exhibit ${ref}`);
    drawLabel(ctx, ref, rows);
  };
  for (const x of exhibits) {
    const twins = same.get(x.ref);
    label(x.ref, [
      ['Reference', x.ref],
      ['Description', `${describeExhibit(ctx, x)}. ${coverage(ctx, covered.get(x.ref))}`],
      ['File', `${x.file} in this bundle`],
      ['SHA-256', x.clip.sha256],
      ...(twins === undefined ? [] : [['Note', `Identical, byte for byte, to exhibit ${twins.join(', ')}.`] as [string, string]]),
    ]);
  }
  // Issue 13: a label for each phone recording the resident sent, marked not calibrated.
  for (const r of ctx.recordings) {
    label(r.ref, [
      ['Reference', r.ref],
      ['Description', `Phone recording made by the resident and sent with their diary entry of ${londonMinute(r.recording.at, ctx.clock)} (UK time); ${PHONE_RECORDING_LABEL}.`],
      ['File', `${r.file} in this bundle (${r.recording.mediaType})`],
      ['SHA-256', r.recording.sha256],
    ]);
  }
}

/** One label: the case, the reference, the PD 32 identification line, what it is, and lines for the witness to sign, in a box. */
function drawLabel(ctx: SectionContext, ref: string, rows: [string, string][]): void {
  const { doc, model } = ctx;
  const top = doc.y + 6;
  doc.y = top + 18;
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor(COLOUR.muted).text(`Case ${model.case.ref}`, MARGIN.left + 20, doc.y, { width: CONTENT_WIDTH - 40, align: 'center' });
  doc.moveDown(0.6);
  doc.font(FONT.bold).fontSize(28).fillColor(COLOUR.text).text(`Exhibit ${ref}`, MARGIN.left + 20, doc.y, { width: CONTENT_WIDTH - 40, align: 'center' });
  doc.moveDown(0.6);
  // PD 32 para 11.3's identification line on one line, in a smaller size if it must; a name too long for that wraps, but
  // the name's last word, "made on", the date's blank and its full stop are one word to the line breaker (no-break
  // spaces, UAX #14 class GL), so the blank never starts a line.
  const line = printable(`This is the exhibit marked ${ref} referred to in the witness statement of ${model.case.officer.name}\u00a0made\u00a0on\u00a0${DATE_BLANK}.`);
  // As wide as the rows below it: the box's inner width.
  const width = CONTENT_WIDTH - 2 * LABEL_INSET;
  doc.font(FONT.regular);
  let size: number = SIZE.subheading;
  // Measured as pdfkit wraps it: more than one line's height is more than one line.
  const lines = (): number => Math.round(doc.heightOfString(line, { width }) / doc.currentLineHeight(true));
  while (size > LINE_SMALLEST && (doc.fontSize(size), lines()) > 1) size -= 0.5;
  doc.fontSize(size).text(line, MARGIN.left + LABEL_INSET, doc.y, { width, align: 'center' });
  doc.moveDown(1.2);
  doc.x = MARGIN.left;
  // The rows sit inside the box, clear of its edges.
  keyValues(doc, rows, 100, LABEL_INSET);
  blankLines(doc, ['Signed (witness)', 'Date'], LABEL_INSET);
  doc.rect(MARGIN.left, top, CONTENT_WIDTH, doc.y - top + 6).lineWidth(0.8).strokeColor(COLOUR.rule).stroke();
  doc.y += 12;
}
