/**
 * bundle.pdf (DESIGN §6, issue 5): A4; page 1 is the title and index; then the
 * sections in order, each with a PDF bookmark at its heading (charts also one
 * per night). A section follows on the page before it when its heading and its
 * first lines fit there (issue 10): a rehearsal on a scratch document
 * (section-fit below) says whether anything of the section would be drawn under
 * the heading before its first page break, so no heading is left alone at a
 * page's foot. The documents that stand on their own start a page: the witness
 * statement, the exhibit labels and the records certificate. The index is
 * drawn last, when the sections' page numbers are known; then "Page N of M" is
 * stamped on every page. Returns the document as a stream of PDF bytes.
 */
import PDFDocument from 'pdfkit';
import type { Exhibit, RecordingExhibit } from '../exhibits.ts';
import type { BundleModel } from '../model.ts';
import { renderCaseSummary } from './case-summary.ts';
import { renderCharts } from './charts.ts';
import { renderContactLog } from './contact-log.ts';
import { renderDiary } from './diary.ts';
import { renderEquipment } from './equipment.ts';
import { renderEventsSchedule } from './events-schedule.ts';
import { renderExhibitLabels } from './exhibit-labels.ts';
import { renderExhibitList } from './exhibit-list.ts';
import { FONT_FILES, registerFonts } from './fonts.ts';
import { stampFooters } from './footer.ts';
import { DEMONSTRATION_NOTICE } from '../demonstration.ts';
import { type IndexEntry, renderIndexPage } from './index-page.ts';
import { renderIntegrity } from './integrity.ts';
import { COLOUR, CONTENT_BOTTOM, CONTENT_WIDTH, type Doc, FONT, MARGIN, PAGE, SIZE, type SectionContext, currentPage, newContext, startSection } from './layout.ts';
import { renderMethod } from './method.ts';
import { renderRecordsCertificate } from './records-certificate.ts';
import { renderWitnessStatement } from './witness-statement.ts';
import { renderNightsSummary } from './nights-summary.ts';
import { renderLowFrequency } from './low-frequency.ts';

type Render = (ctx: SectionContext, bookmark: (label: string) => void, zipName: string) => void;

interface Section {
  readonly name: string;
  readonly render: Render;
  readonly only?: (m: BundleModel) => boolean;
  /** Starts a new page rather than following on the one before. */
  readonly ownPage?: true;
}

/**
 * The sections in order; their numbers ("1. …") follow from this order. Add a
 * section by adding one line here.
 */
const SECTIONS: readonly Section[] = [
  // Page 1 is the index, drawn last: the first section starts page 2.
  { name: 'Nights summary', render: renderNightsSummary, ownPage: true },
  { name: 'Case summary', render: renderCaseSummary },
  { name: 'Equipment and deployment record', render: renderEquipment },
  { name: 'Method in plain English', render: renderMethod },
  { name: 'Schedule of events', render: renderEventsSchedule },
  { name: 'Charts of measured levels', render: renderCharts },
  // Issue 16: only when the period has low-frequency events (model.lowFrequency).
  { name: 'Low-frequency noise', render: renderLowFrequency, only: (m) => m.lowFrequency !== undefined },
  { name: 'Diary corroboration', render: renderDiary },
  { name: 'Contact with the complainant', render: renderContactLog },
  { name: 'Exhibit list', render: renderExhibitList },
  { name: 'Integrity statement', render: (c, _b, zipName) => renderIntegrity(c, zipName) },
  // CPR PD 32 para 17.1: the statement's heading is in the top right-hand corner of its first page; it is signed as a document of its own.
  { name: 'Draft witness statement', render: renderWitnessStatement, ownPage: true },
  // CPR PD 32 para 11.3: each label goes with its exhibit, kept separate from the statement: one sheet each (exhibit-labels.ts).
  { name: 'Exhibit labels', render: renderExhibitLabels, ownPage: true },
  // Civil Evidence Act 1995 s.9(2)(a): a certificate signed by an officer of the authority, produced as a document of its own.
  { name: 'Records certificate', render: renderRecordsCertificate, ownPage: true },
];

/** Space above a heading that follows on a page, pt. */
const SECTION_GAP = 22;
/** A following heading needs at least this much room under it for its first lines, pt (about three lines of body text). */
const FIRST_LINES = 40;

/** The section headings as printed and bookmarked: "1. Case summary", … (a bundle with low-frequency events adds its section after the charts). */
export const SECTION_TITLES: readonly string[] = sectionTitles(SECTIONS.filter((s) => s.only === undefined));

function sectionTitles(sections: readonly { readonly name: string }[]): string[] {
  return sections.map((s, i) => `${i + 1}. ${s.name}`);
}

function newDocument(model: BundleModel): Doc {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    displayTitle: true,
    // ISO 19005-2 (PDF/A-2b, based on PDF 1.7): XMP identification and an sRGB output intent; every font embedded (fonts.ts).
    subset: 'PDF/A-2b',
    pdfVersion: '1.7',
    lang: 'en-GB',
    font: FONT_FILES.regular,
    info: {
      Title: `Noise evidence bundle, case ${model.case.ref}`,
      Author: model.case.officer.name,
      Subject: `${model.period.from} to ${model.period.to}`,
      Creator: 'Earshot',
      CreationDate: new Date(model.generatedAt),
    },
  });
  registerFonts(doc);
  return doc;
}

/** A section's heading at `y` on the current page, as startSection() sets it on a new one. */
function heading(doc: Doc, title: string, y: number): void {
  doc.font(FONT.bold).fontSize(SIZE.heading).fillColor(COLOUR.text).text(title, MARGIN.left, y, { width: CONTENT_WIDTH });
  doc.moveDown(0.6);
}

/** Stops a rehearsal at its first page break. */
class PageBreak extends Error {}

/** PDF operators that put marks on the page: text shown, paths painted, images drawn (ISO 32000-1 Tables 59, 107, 87). */
const MARKING = /(?:^|\s)(?:Tj|TJ|'|"|S|s|f|F|f\*|B|B\*|b|b\*|Do|sh)$/;

/**
 * Whether the section, with its heading at `y` on a page of its own, would
 * draw anything under the heading before its first page break (or fit whole).
 * Rehearsed on `scratch`, a document set up as the bundle's, up to that break.
 */
function followsOn(scratch: Doc, ctx: SectionContext, s: Section, title: string, y: number, zipName: string): boolean {
  PDFDocument.prototype.addPage.call(scratch);
  heading(scratch, title, y);
  let marked = false;
  const own = scratch as unknown as { addPage: () => never; addContent: (data: string) => Doc };
  own.addPage = () => {
    throw new PageBreak();
  };
  own.addContent = (data: string) => {
    if (MARKING.test(data.trim())) marked = true;
    return PDFDocument.prototype.addContent.call(scratch, data);
  };
  try {
    s.render({ ...ctx, doc: scratch }, () => {}, zipName);
    return true;
  } catch (e) {
    if (e instanceof PageBreak) return marked;
    throw e;
  } finally {
    delete (own as { addPage?: unknown }).addPage;
    delete (own as { addContent?: unknown }).addContent;
  }
}

/** Places the section's heading, following on the current page when the section's first lines fit under it; returns the page index and the heading's y. */
function placeHeading(doc: Doc, scratch: () => Doc, ctx: SectionContext, s: Section, title: string, zipName: string): { page: number; y: number } {
  if (s.ownPage !== true) {
    const y = doc.y + SECTION_GAP;
    const h = doc.font(FONT.bold).fontSize(SIZE.heading).heightOfString(title, { width: CONTENT_WIDTH });
    if (y + h + FIRST_LINES <= CONTENT_BOTTOM && followsOn(scratch(), ctx, s, title, y, zipName)) {
      heading(doc, title, y);
      return { page: currentPage(doc), y };
    }
  }
  return { page: startSection(doc, title), y: MARGIN.top };
}

export function renderBundlePdf(model: BundleModel, exhibits: readonly Exhibit[], zipName: string, recordings: readonly RecordingExhibit[] = []): Doc {
  const doc = newDocument(model);
  const ctx = newContext(doc, model, exhibits, recordings);
  doc.outline.addItem('Index');
  // Made when first needed, never ended: only its measurements are used.
  let scratchDoc: Doc | null = null;
  const scratch = (): Doc => (scratchDoc ??= newDocument(model));

  // A section for what only some periods have is numbered only when present.
  const sections = SECTIONS.filter((s) => s.only?.(model) ?? true);
  const titles = sectionTitles(sections);
  const index: IndexEntry[] = sections.map((s, i) => {
    const title = titles[i]!;
    const { page, y } = placeHeading(doc, scratch, ctx, s, title, zipName);
    // The bookmark opens its page at the heading (pdfkit's outline takes `top` from the page's top and `left` from its right edge).
    const at = { expanded: false, top: y, left: PAGE.width };
    const item = doc.outline.addItem(title, at);
    s.render(ctx, (label) => item.addItem(label), zipName);
    return { title, page: page + 1 };
  });

  doc.switchToPage(0);
  renderIndexPage(ctx, index);
  stampFooters(doc, model.case.ref, model.demonstration === true ? DEMONSTRATION_NOTICE : undefined);
  doc.end();
  return doc;
}
