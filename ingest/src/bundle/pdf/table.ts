/**
 * A table that breaks across pages and repeats its header on each: rows are
 * measured (wrapped text) before drawing, and a row that does not fit starts a
 * new page.
 */
import { COLOUR, CONTENT_BOTTOM, CONTENT_WIDTH, type Doc, FONT, MARGIN, SIZE, printable } from './layout.ts';

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

/** A row's height as drawTable lays it out at `fontSize`: its tallest cell's wrapped text, padded (bold: the header row, drawn as given). */
export function measureRow(doc: Doc, columns: readonly Column[], cells: readonly string[], bold: boolean, fontSize: number = SIZE.small): number {
  doc.fontSize(fontSize);
  return rowHeight(doc, bold ? cells : cells.map(printable), columns, widths(columns), bold);
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

/** A row given as one line of text across the whole table (e.g. "No data: …" in the schedule). */
export interface NoteRow {
  readonly note: string;
}

function drawNote(doc: Doc, note: string, y: number, h: number): void {
  doc.rect(MARGIN.left, y, CONTENT_WIDTH, h).fill(COLOUR.fill);
  doc.fillColor(COLOUR.text).font(FONT.bold).text(note, MARGIN.left + PAD, y + PAD, { width: CONTENT_WIDTH - 2 * PAD, lineBreak: true });
  doc.moveTo(MARGIN.left, y + h).lineTo(MARGIN.left + CONTENT_WIDTH, y + h).lineWidth(0.3).strokeColor(COLOUR.rule).stroke();
}

/** Draws the table from doc.y on; leaves doc.y below it. */
export function drawTable(doc: Doc, columns: readonly Column[], rows: readonly (readonly string[] | NoteRow)[], fontSize: number = SIZE.small): void {
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
    const note = 'note' in raw ? printable(raw.note) : null;
    const cells = 'note' in raw ? [] : raw.map(printable);
    doc.fontSize(fontSize);
    const h = note === null ? rowHeight(doc, cells, columns, w, false) : doc.font(FONT.bold).heightOfString(note, { width: CONTENT_WIDTH - 2 * PAD }) + 2 * PAD;
    if (y + h > CONTENT_BOTTOM) {
      doc.addPage();
      y = MARGIN.top;
      doc.fontSize(fontSize);
      drawHeader();
    }
    if (note === null) drawRow(doc, cells, columns, w, y, h, false, r % 2 === 1);
    else drawNote(doc, note, y, h);
    y += h;
  });
  doc.x = MARGIN.left;
  doc.y = y + 8;
}
