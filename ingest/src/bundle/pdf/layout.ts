/**
 * Page geometry, type and small text helpers shared by every section of
 * bundle.pdf. A4 is 595.28 × 841.89 pt (ISO 216: 210 × 297 mm at 72 pt/in).
 * Text is set in embedded DejaVu fonts (fonts.ts); text from people (diary
 * entries) keeps every character the font can show, and any other becomes '?'
 * here; the exact text is in data/diary.csv.
 */
import type PDFDocument from 'pdfkit';
import type { Exhibit, RecordingExhibit } from '../exhibits.ts';
import { LondonClock } from '../london-clock.ts';
import type { BundleModel } from '../model.ts';
import { fontCoverage } from './font-coverage.ts';
import { FONT, FONT_FILES } from './fonts.ts';

export { FONT };

export type Doc = InstanceType<typeof PDFDocument>;

export const PAGE = { width: 595.28, height: 841.89 } as const;
export const MARGIN = { top: 56, bottom: 64, left: 50, right: 50 } as const;
export const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
/** Lowest y content may reach; the footer sits below it. */
export const CONTENT_BOTTOM = PAGE.height - MARGIN.bottom;

export const SIZE = { title: 20, heading: 15, subheading: 11, body: 9.5, small: 8 } as const;
export const COLOUR = { text: '#111111', muted: '#555555', rule: '#999999', fill: '#eeeeee' } as const;

/** What every section renders from. */
export interface SectionContext {
  readonly doc: Doc;
  readonly model: BundleModel;
  readonly exhibits: readonly Exhibit[];
  /** The resident's phone recordings as exhibits (issue 13), numbered after the clips. */
  readonly recordings: readonly RecordingExhibit[];
  readonly clock: LondonClock;
}

export function newContext(doc: Doc, model: BundleModel, exhibits: readonly Exhibit[], recordings: readonly RecordingExhibit[] = []): SectionContext {
  return { doc, model, exhibits, recordings, clock: new LondonClock() };
}

// People's text is set in the regular face (bold and mono carry only the bundle's own text).
let covered: ReadonlySet<number> | null = null;
function coverage(): ReadonlySet<number> {
  covered ??= fontCoverage(FONT_FILES.regular);
  return covered;
}

/** Text the embedded fonts can show: other characters (and control characters) become '?', line breaks stay. */
export function printable(text: string): string {
  const has = coverage();
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c === 10 || (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0) && has.has(c)) ? ch : '?';
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

/** Where the last subheading left doc.y, per document: the first block under it flows from there (see subheading()). */
const underHeading = new WeakMap<Doc, { page: number; y: number }>();

/** Whether nothing has been drawn since a subheading: its first lines were kept with it, so the block under it may flow on. */
function justUnderHeading(doc: Doc): boolean {
  const at = underHeading.get(doc);
  return at !== undefined && at.page === currentPage(doc) && Math.abs(at.y - doc.y) < 0.01;
}

/**
 * The least a subheading keeps with it, pt: its first two lines of content,
 * whichever they are: two lines of body text, or a table's header and first
 * row (table.ts: a line of small text with 2.5 pt padding above and below).
 */
export function firstTwoLines(doc: Doc): number {
  const body = doc.font(FONT.regular).fontSize(SIZE.body).currentLineHeight(true);
  const row = doc.font(FONT.bold).fontSize(SIZE.small).currentLineHeight(true) + 2 * 2.5;
  return Math.max(2 * body, 2 * row);
}

/**
 * A subsection's heading, kept on one page with the first lines under it (as
 * render-pdf.ts keeps a section's heading with its first lines, issue 10): the
 * heading's own height is measured, and `keep` pt of content under it (at least
 * its first two lines, firstTwoLines()) must fit below it, or the heading starts
 * the next page. A paragraph set directly under it then flows on from there
 * rather than moving whole to the next page, which would leave the heading
 * alone at the foot. Pass a larger `keep` to hold a whole block with it (the
 * statement of truth and its signature lines).
 */
export function subheading(doc: Doc, text: string, keep = 0): void {
  const t = printable(text);
  doc.font(FONT.bold).fontSize(SIZE.subheading);
  const line = doc.currentLineHeight(true);
  const own = 0.4 * line + doc.heightOfString(t, { width: CONTENT_WIDTH }) + 0.3 * line;
  const under = Math.max(keep, firstTwoLines(doc));
  doc.font(FONT.bold).fontSize(SIZE.subheading);
  ensureSpace(doc, own + under);
  doc.moveDown(0.4);
  doc.fillColor(COLOUR.text).text(t, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.3);
  underHeading.set(doc, { page: currentPage(doc), y: doc.y });
}

/** Room a block of `height` pt needs on this page before it starts: all of it (up to `most`), or under a subheading only what the heading kept with it. */
function blockNeeds(doc: Doc, height: number, most: number): number {
  return justUnderHeading(doc) ? Math.min(height, firstTwoLines(doc)) : Math.min(height, most);
}

/** The height paragraph() takes for `text`, with the space after it, pt. */
export function paragraphHeight(doc: Doc, text: string, size: number = SIZE.body): number {
  doc.font(FONT.regular).fontSize(size);
  return doc.heightOfString(printable(text), { width: CONTENT_WIDTH }) + 0.5 * doc.currentLineHeight(true);
}

export function paragraph(doc: Doc, text: string, options: { muted?: boolean; size?: number } = {}): void {
  const size = options.size ?? SIZE.body;
  doc.font(FONT.regular).fontSize(size);
  const need = blockNeeds(doc, doc.heightOfString(printable(text), { width: CONTENT_WIDTH }), 120);
  doc.font(FONT.regular).fontSize(size);
  ensureSpace(doc, need);
  doc.fillColor(options.muted === true ? COLOUR.muted : COLOUR.text).text(printable(text), MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.5);
}

/** The height keyValues() gives its first row, pt (0 for none): what a subheading above it keeps with it. */
export function keyValuesFirstRow(doc: Doc, pairs: readonly (readonly [string, string])[], labelWidth = 150, inset = 0): number {
  const first = pairs[0];
  if (first === undefined) return 0;
  doc.font(FONT.regular).fontSize(SIZE.body);
  return Math.max(doc.heightOfString(printable(first[1]), { width: CONTENT_WIDTH - 2 * inset - labelWidth }), 12) + 3;
}

/** Label: value lines, labels in a fixed column; `inset` pt in from both margins (inside a box). */
export function keyValues(doc: Doc, pairs: readonly (readonly [string, string])[], labelWidth = 150, inset = 0): void {
  const left = MARGIN.left + inset;
  const width = CONTENT_WIDTH - 2 * inset;
  doc.fontSize(SIZE.body);
  for (const [k, v] of pairs) {
    const value = printable(v);
    const h = Math.max(doc.font(FONT.regular).heightOfString(value, { width: width - labelWidth }), 12);
    ensureSpace(doc, h);
    const y = doc.y;
    doc.font(FONT.bold).fillColor(COLOUR.text).text(k, left, y, { width: labelWidth - 8 });
    doc.font(FONT.regular).text(value, left + labelWidth, y, { width: width - labelWidth });
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

/** A numbered paragraph: the number in the margin column, the text indented beside it (CPR PD 32 para 19.1). */
export function numberedParagraph(doc: Doc, n: number, text: string): void {
  const indent = 24;
  const t = printable(text);
  doc.font(FONT.regular).fontSize(SIZE.body);
  const need = blockNeeds(doc, doc.heightOfString(t, { width: CONTENT_WIDTH - indent }), 80);
  doc.font(FONT.regular).fontSize(SIZE.body);
  ensureSpace(doc, need);
  const y = doc.y;
  doc.fillColor(COLOUR.text).text(`${n}.`, MARGIN.left, y, { width: indent - 4, lineBreak: false });
  doc.text(t, MARGIN.left + indent, y, { width: CONTENT_WIDTH - indent });
  doc.x = MARGIN.left;
  doc.moveDown(0.6);
}

/** The room blankLines() keeps on one page for `labels`, pt: a line of 26 pt each (0.9 line above, 14 pt for the line) and 10 pt after. */
export function blankLinesHeight(labels: readonly string[]): number {
  return labels.length * 26 + 10;
}

/** Blank lines to be completed by hand: "Signed ________", one per label; `inset` pt in from the left margin (inside a box). */
export function blankLines(doc: Doc, labels: readonly string[], inset = 0): void {
  const labelWidth = 110;
  const left = MARGIN.left + inset;
  ensureSpace(doc, blankLinesHeight(labels));
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor(COLOUR.text);
  for (const label of labels) {
    doc.moveDown(0.9);
    const y = doc.y;
    doc.text(label, left, y, { width: labelWidth - 6, lineBreak: false });
    doc.text('_'.repeat(48), left + labelWidth, y, { lineBreak: false });
    doc.y = y + 14;
  }
  doc.x = MARGIN.left;
  doc.moveDown(0.6);
}
