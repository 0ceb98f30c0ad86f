/**
 * Page geometry, type and small text helpers shared by every section of
 * bundle.pdf. A4 is 595.28 × 841.89 pt (ISO 216: 210 × 297 mm at 72 pt/in).
 * The PDF's standard Helvetica (PDF 32000-1:2008 §9.6.2.2, no font embedded)
 * writes WinAnsiEncoding (Annex D.2), so text from people (diary entries) is
 * reduced to that character set here; the exact text is in data/diary.csv.
 */
import type PDFDocument from 'pdfkit';
import type { Exhibit } from '../exhibits.ts';
import { LondonClock } from '../london-clock.ts';
import type { BundleModel } from '../model.ts';

export type Doc = InstanceType<typeof PDFDocument>;

export const PAGE = { width: 595.28, height: 841.89 } as const;
export const MARGIN = { top: 56, bottom: 64, left: 50, right: 50 } as const;
export const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
/** Lowest y content may reach; the footer sits below it. */
export const CONTENT_BOTTOM = PAGE.height - MARGIN.bottom;

export const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' } as const;
export const SIZE = { title: 20, heading: 15, subheading: 11, body: 9.5, small: 8 } as const;
export const COLOUR = { text: '#111111', muted: '#555555', rule: '#999999', fill: '#eeeeee' } as const;

/** What every section renders from. */
export interface SectionContext {
  readonly doc: Doc;
  readonly model: BundleModel;
  readonly exhibits: readonly Exhibit[];
  readonly clock: LondonClock;
}

export function newContext(doc: Doc, model: BundleModel, exhibits: readonly Exhibit[]): SectionContext {
  return { doc, model, exhibits, clock: new LondonClock() };
}

// WinAnsiEncoding (PDF 32000-1 Annex D.2): Latin-1 printable plus these.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Text Helvetica can show: other characters become '?', line breaks stay. */
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c === 10 || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch) ? ch : '?';
  }
  return out;
}

/** dB to 0.1, or an en dash for no value. */
export function db(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : v.toFixed(1);
}

/** 75 → "1 min 15 s"; 3 700 → "1 h 01 min". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Starts a section on a new page with its heading; returns the page index. */
export function startSection(doc: Doc, title: string): number {
  doc.addPage();
  doc.font(FONT.bold).fontSize(SIZE.heading).fillColor(COLOUR.text).text(title, MARGIN.left, MARGIN.top, { width: CONTENT_WIDTH });
  doc.moveDown(0.6);
  return currentPage(doc);
}

export function currentPage(doc: Doc): number {
  const r = doc.bufferedPageRange();
  return r.start + r.count - 1;
}

/** Moves to a new page when less than `height` remains. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > CONTENT_BOTTOM) {
    doc.addPage();
    doc.y = MARGIN.top;
  }
}

export function subheading(doc: Doc, text: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.4);
  doc.font(FONT.bold).fontSize(SIZE.subheading).fillColor(COLOUR.text).text(winAnsi(text), MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.3);
}

export function paragraph(doc: Doc, text: string, options: { muted?: boolean; size?: number } = {}): void {
  const size = options.size ?? SIZE.body;
  doc.font(FONT.regular).fontSize(size);
  ensureSpace(doc, Math.min(doc.heightOfString(winAnsi(text), { width: CONTENT_WIDTH }), 120));
  doc.fillColor(options.muted === true ? COLOUR.muted : COLOUR.text).text(winAnsi(text), MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.5);
}

/** Label: value lines, labels in a fixed column. */
export function keyValues(doc: Doc, pairs: readonly (readonly [string, string])[], labelWidth = 150): void {
  doc.fontSize(SIZE.body);
  for (const [k, v] of pairs) {
    const value = winAnsi(v);
    const h = Math.max(doc.font(FONT.regular).heightOfString(value, { width: CONTENT_WIDTH - labelWidth }), 12);
    ensureSpace(doc, h);
    const y = doc.y;
    doc.font(FONT.bold).fillColor(COLOUR.text).text(k, MARGIN.left, y, { width: labelWidth - 8 });
    doc.font(FONT.regular).text(value, MARGIN.left + labelWidth, y, { width: CONTENT_WIDTH - labelWidth });
    doc.y = y + h + 3;
  }
  doc.x = MARGIN.left;
  doc.moveDown(0.3);
}

/** The honest statement for a section with nothing to show. */
export function nothingToShow(doc: Doc, text: string): void {
  doc.moveDown(0.5);
  doc.font(FONT.bold).fontSize(SIZE.subheading).fillColor(COLOUR.muted).text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.fillColor(COLOUR.text);
  doc.moveDown(0.5);
}
