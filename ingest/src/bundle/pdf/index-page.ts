/** Page 1: the title block and the index of sections with their page numbers (drawn last, when the numbers are known). */
import { londonMinute } from '../london-clock.ts';
import { COLOUR, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, keyValues, printable } from './layout.ts';

export interface IndexEntry {
  readonly title: string;
  /** 1-based page number. */
  readonly page: number;
}

export function renderIndexPage(ctx: SectionContext, entries: readonly IndexEntry[]): void {
  const { doc, model, clock } = ctx;
  doc.font(FONT.bold).fontSize(SIZE.title).fillColor(COLOUR.text).text('Noise evidence bundle', MARGIN.left, MARGIN.top, { width: CONTENT_WIDTH });
  doc.moveDown(0.3);
  doc.font(FONT.regular).fontSize(SIZE.subheading).fillColor(COLOUR.muted).text(printable(`Case ${model.case.ref} · ${model.case.address}`), { width: CONTENT_WIDTH });
  doc.moveDown(1);
  keyValues(doc, [
    ['Period', `${londonMinute(model.period.from, clock)} to ${londonMinute(model.period.to, clock)} (UK time)`],
    ['Prepared by', `${model.case.officer.name} (${model.case.officer.initials})`],
    ['Prepared on', londonMinute(model.generatedAt, clock)],
  ]);
  doc.moveDown(1);
  doc.font(FONT.bold).fontSize(SIZE.heading).fillColor(COLOUR.text).text('Index', MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.5);
  doc.fontSize(SIZE.subheading);
  for (const e of entries) {
    const y = doc.y;
    const label = e.title;
    const page = `page ${e.page}`;
    doc.font(FONT.regular).fillColor(COLOUR.text).text(label, MARGIN.left, y, { lineBreak: false });
    const labelEnd = MARGIN.left + doc.widthOfString(label) + 6;
    const pageStart = MARGIN.left + CONTENT_WIDTH - doc.widthOfString(page);
    doc.moveTo(labelEnd, y + 9).lineTo(pageStart - 6, y + 9).lineWidth(0.4).dash(1, { space: 2.5 }).strokeColor(COLOUR.rule).stroke().undash();
    doc.text(page, pageStart, y, { lineBreak: false });
    doc.y = y + 20;
  }
  doc.moveDown(1);
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor(COLOUR.muted).text(
    'This bundle also holds the audio exhibits (exhibits/), the measurements as spreadsheets (data/), the evidence log extract (evidence/) and MANIFEST.sha256, the fingerprint of every file. The integrity statement explains how to check that nothing has been altered.',
    MARGIN.left,
    doc.y,
    { width: CONTENT_WIDTH },
  );
}
