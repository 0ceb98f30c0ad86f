/** "Page N of M" on every page, stamped once every page exists (pages are buffered: pdfkit bufferPages). */
import { COLOUR, CONTENT_WIDTH, type Doc, FONT, MARGIN, PAGE, printable } from './layout.ts';

/** `notice`: a demonstration bundle's line (ingest/src/cases/demonstration.ts), printed at the top and bottom of every page. */
export function stampFooters(doc: Doc, caseRef: string, notice?: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would otherwise start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    if (notice !== undefined) {
      doc.font(FONT.bold).fontSize(9).fillColor('#b00020');
      doc.text(printable(notice), MARGIN.left, MARGIN.top - 36, { width: CONTENT_WIDTH, align: 'center', lineBreak: false });
      doc.text(printable(notice), MARGIN.left, PAGE.height - MARGIN.bottom + 40, { width: CONTENT_WIDTH, align: 'center', lineBreak: false });
    }
    const y = PAGE.height - MARGIN.bottom + 28;
    doc.moveTo(MARGIN.left, y - 6).lineTo(MARGIN.left + CONTENT_WIDTH, y - 6).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
    doc.font(FONT.regular).fontSize(8).fillColor(COLOUR.muted);
    doc.text(printable(`${caseRef} · Noise evidence bundle`), MARGIN.left, y, { width: CONTENT_WIDTH / 2, lineBreak: false });
    doc.text(`Page ${i + 1} of ${count}`, MARGIN.left + CONTENT_WIDTH / 2, y, { width: CONTENT_WIDTH / 2, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}
