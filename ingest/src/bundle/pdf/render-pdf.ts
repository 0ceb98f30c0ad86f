/**
 * bundle.pdf (DESIGN §6, issue 5): A4; page 1 is the title and index; then the
 * eight sections in order, each from a new page with a PDF bookmark (charts
 * also one per night); the index is drawn last, when the sections' page numbers
 * are known; then "Page N of M" is stamped on every page. Returns the document
 * as a stream of PDF bytes.
 */
import PDFDocument from 'pdfkit';
import type { Exhibit } from '../exhibits.ts';
import type { BundleModel } from '../model.ts';
import { renderCaseSummary } from './case-summary.ts';
import { renderCharts } from './charts.ts';
import { renderDiary } from './diary.ts';
import { renderEquipment } from './equipment.ts';
import { renderEventsSchedule } from './events-schedule.ts';
import { renderExhibitList } from './exhibit-list.ts';
import { stampFooters } from './footer.ts';
import { type IndexEntry, renderIndexPage } from './index-page.ts';
import { renderIntegrity } from './integrity.ts';
import { type Doc, MARGIN, type SectionContext, newContext, startSection } from './layout.ts';
import { renderMethod } from './method.ts';

/** The sections, in the order issue 5 gives them. */
export const SECTION_TITLES = [
  '1. Case summary',
  '2. Equipment and deployment record',
  '3. Method in plain English',
  '4. Schedule of events',
  '5. Charts of measured levels',
  '6. Diary corroboration',
  '7. Exhibit list',
  '8. Integrity statement',
] as const;

type Render = (ctx: SectionContext, bookmark: (label: string) => void) => void;

export function renderBundlePdf(model: BundleModel, exhibits: readonly Exhibit[], zipName: string): Doc {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    displayTitle: true,
    info: {
      Title: `Noise evidence bundle, case ${model.case.ref}`,
      Author: model.case.officer.name,
      Subject: `${model.period.from} to ${model.period.to}`,
      Creator: 'Earshot',
      CreationDate: new Date(model.generatedAt),
    },
  });
  const ctx = newContext(doc, model, exhibits);
  doc.outline.addItem('Index');

  const renders: readonly Render[] = [
    renderCaseSummary,
    renderEquipment,
    renderMethod,
    renderEventsSchedule,
    renderCharts,
    renderDiary,
    renderExhibitList,
    (c) => renderIntegrity(c, zipName),
  ];
  const index: IndexEntry[] = SECTION_TITLES.map((title, i) => {
    const page = startSection(doc, title);
    const item = doc.outline.addItem(title);
    renders[i]!(ctx, (label) => item.addItem(label));
    return { title, page: page + 1 };
  });

  doc.switchToPage(0);
  renderIndexPage(ctx, index);
  stampFooters(doc, model.case.ref);
  doc.end();
  return doc;
}
