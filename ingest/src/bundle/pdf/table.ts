/**
 * A table that breaks across pages and repeats its header on each: rows are
 * measured (wrapped text) before drawing, and a row that does not fit starts a
 * new page.
 */
import { COLOUR, CONTENT_BOTTOM, CONTENT_WIDTH, type Doc, FONT, MARGIN, SIZE, winAnsi } from './layout.ts';

export interface Column {
  readonly header: string;
  /** Share of the content width (the widths are scaled to fill it). */
  readonly width: number;
  readonly align?: 'left' | 'right' | 'center';
  readonly mono?: boolean;
}

const PAD = 2.5;

function widths(columns: readonly Column[]): number[] {
  const sum = columns.reduce((s, c) => s + c.width, 0);
  return columns.map((c) => (c.width / sum) * CONTENT_WIDTH);
}

function rowHeight(doc: Doc, cells: readonly string[], columns: readonly Column[], w: readonly number[], bold: boolean): number {
  let h = 0;
  cells.forEach((cell, i) => {
    doc.font(bold ? FONT.bold : columns[i]!.mono === true ? FONT.mono : FONT.regular);
    h = Math.max(h, doc.heightOfString(cell, { width: w[i]! - 2 * PAD }));
  });
  return h + 2 * PAD;
}

function drawRow(doc: Doc, cells: readonly string[], columns: readonly Column[], w: readonly number[], y: number, h: number, bold: boolean, shade: boolean): void {
  if (shade) doc.rect(MARGIN.left, y, CONTENT_WIDTH, h).fill(bold ? '#dddddd' : '#f4f4f4');
  doc.fillColor(COLOUR.text);
  let x = MARGIN.left;
  cells.forEach((cell, i) => {
    const c = columns[i]!;
    doc.font(bold ? FONT.bold : c.mono === true ? FONT.mono : FONT.regular).text(cell, x + PAD, y + PAD, { width: w[i]! - 2 * PAD, align: c.align ?? 'left', lineBreak: true });
    x += w[i]!;
  });
  doc.moveTo(MARGIN.left, y + h).lineTo(MARGIN.left + CONTENT_WIDTH, y + h).lineWidth(0.3).strokeColor(COLOUR.rule).stroke();
}

/** Draws the table from doc.y on; leaves doc.y below it. */
export function drawTable(doc: Doc, columns: readonly Column[], rows: readonly (readonly string[])[], fontSize: number = SIZE.small): void {
  const w = widths(columns);
  doc.fontSize(fontSize);
  const header = columns.map((c) => c.header);
  const headerH = rowHeight(doc, header, columns, w, true);
  let y = doc.y;
  const drawHeader = (): void => {
    drawRow(doc, header, columns, w, y, headerH, true, true);
    y += headerH;
  };
  if (y + headerH * 2 > CONTENT_BOTTOM) {
    doc.addPage();
    y = MARGIN.top;
  }
  drawHeader();
  rows.forEach((raw, r) => {
    const cells = raw.map(winAnsi);
    doc.fontSize(fontSize);
    const h = rowHeight(doc, cells, columns, w, false);
    if (y + h > CONTENT_BOTTOM) {
      doc.addPage();
      y = MARGIN.top;
      doc.fontSize(fontSize);
      drawHeader();
    }
    drawRow(doc, cells, columns, w, y, h, false, r % 2 === 1);
    y += h;
  });
  doc.x = MARGIN.left;
  doc.y = y + 8;
}
