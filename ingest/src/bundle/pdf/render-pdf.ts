/**
 * bundle.pdf (DESIGN §6, issue 5): A4; page 1 is the title and index; then the
 * eight sections in order, each from a new page with a PDF bookmark (charts
 * also one per night); the index is drawn last, when the sections' page numbers
 * are known; then "Page N of M" is stamped on every page. Returns the document
 * as a stream of PDF bytes.
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
import { type Doc, MARGIN, type SectionContext, newContext, startSection } from './layout.ts';
import { renderMethod } from './method.ts';
import { renderRecordsCertificate } from './records-certificate.ts';
import { renderWitnessStatement } from './witness-statement.ts';
import { renderNightsSummary } from './nights-summary.ts';
import { renderLowFrequency } from './low-frequency.ts';

type Render = (ctx: SectionContext, bookmark: (label: string) => void, zipName: string) => void;

/**
 * The sections in order, each from a new page; their numbers ("1. …") follow
 * from this order. Add a section by adding one line here.
 */
const SECTIONS: readonly { readonly name: string; readonly render: Render; readonly only?: (m: BundleModel) => boolean }[] = [
  { name: 'Nights summary', render: renderNightsSummary },
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
  { name: 'Draft witness statement', render: renderWitnessStatement },
  { name: 'Exhibit labels', render: renderExhibitLabels },
  { name: 'Records certificate', render: renderRecordsCertificate },
];

/** The section headings as printed and bookmarked: "1. Case summary", … (a bundle with low-frequency events adds its section after the charts). */
export const SECTION_TITLES: readonly string[] = sectionTitles(SECTIONS.filter((s) => s.only === undefined));

function sectionTitles(sections: readonly { readonly name: string }[]): string[] {
  return sections.map((s, i) => `${i + 1}. ${s.name}`);
}

export function renderBundlePdf(model: BundleModel, exhibits: readonly Exhibit[], zipName: string, recordings: readonly RecordingExhibit[] = []): Doc {
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
  const ctx = newContext(doc, model, exhibits, recordings);
  doc.outline.addItem('Index');

  // A section for what only some periods have is numbered only when present.
  const sections = SECTIONS.filter((s) => s.only?.(model) ?? true);
  const titles = sectionTitles(sections);
  const index: IndexEntry[] = sections.map((s, i) => {
    const title = titles[i]!;
    const page = startSection(doc, title);
    const item = doc.outline.addItem(title);
    s.render(ctx, (label) => item.addItem(label), zipName);
    return { title, page: page + 1 };
  });

  doc.switchToPage(0);
  renderIndexPage(ctx, index);
  stampFooters(doc, model.case.ref, model.demonstration === true ? DEMONSTRATION_NOTICE : undefined);
  doc.end();
  return doc;
}
