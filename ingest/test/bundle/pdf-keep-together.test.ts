/**
 * What bundle.pdf keeps together on a page (issue 10 polish), read back from
 * each page's text (pdftotext -layout) as a reader sees it: the statement of
 * truth with its signature block (CPR PD 22 para 2.1: signed beneath it), a
 * subheading with its first lines, the "analyze" commands table's rows with a
 * header row on every page, and a blank to complete with the words before it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BundleModel } from '../../src/bundle/model.ts';
import { smallCase } from './helpers.ts';
import { pages, pdfBytes, sectionPages } from './pdf-text.ts';

/** The page's lines with text, without the footer ("… Page N of M") and the demonstration notice. */
const lines = (page: string): string[] => page.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/Page \d+ of \d+$/.test(l) && !l.startsWith('DEMONSTRATION DATA'));

/** Exhibit counts around the 15 at which the signature lines were seen to split off (each moves the statement's end down a paragraph), and 27 and 30, at which the commands table breaks across pages. */
const COUNTS = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 27, 30];

/** Subheadings of the bundle (layout.ts subheading()), by their text. */
const SUBHEADINGS = [
  'How these figures were worked out',
  'At a glance',
  'What the figures mean',
  'Rules in force in this period',
  'Reproducing the levels from the audio exhibits',
  'The signed tree head',
  'How to verify this bundle',
  'Statement of truth',
  'Signed by the officer of the landlord',
];

/** The model with `notes` one-line installer's notes: each moves every section after the equipment record down a line. */
function noted(m: BundleModel, notes: number): BundleModel {
  const d = m.deployments[0]!;
  return { ...m, deployments: [{ ...d, calibration: { ...d.calibration, installerNotes: Array.from({ length: notes }, (_, i) => `Note ${i + 1}: checked the position.`) } }] };
}

/** Every subheading in the bundle's pages with fewer than two lines under it on its page. */
function strandedSubheadings(text: readonly string[]): string[] {
  const out: string[] = [];
  text.slice(1).forEach((page, i) => {
    const l = lines(page);
    for (const h of SUBHEADINGS) {
      const at = l.indexOf(h);
      if (at >= 0 && l.length - at - 1 < 2) out.push(`page ${i + 2}: "${h}" then ${JSON.stringify(l.slice(at + 1))}`);
    }
  });
  return out;
}

const COMMAND_HEADER = /^Exhibit\s+Full scale\s+Command$/;
const COMMAND_ROW = /^JS\/\d+\s+(?:not stated|\d+\.\d\d dB)\s+earshot-device analyze /;

describe('bundle.pdf keeps together', () => {
  const bundles = new Map<number, string[]>();
  beforeAll(async () => {
    for (const n of COUNTS) bundles.set(n, pages(await pdfBytes(smallCase({ events: n, clips: n }).source.model)));
  }, 120_000);

  it('the statement of truth and its signature lines, on one page', () => {
    for (const [n, text] of bundles) {
      const page = text.find((p) => lines(p).includes('Statement of truth'));
      expect(page, `${n} exhibits`).toBeDefined();
      const l = lines(page!);
      const at = l.indexOf('Statement of truth');
      expect(l.slice(at + 1).join(' '), `${n} exhibits`).toContain('I believe that the facts stated in this witness statement are true.');
      for (const label of ['Signed', 'Full name', 'Position or role', 'Date']) {
        expect(l.slice(at + 1).some((x) => new RegExp(`^${label}\\s+_{20,}$`).test(x)), `${n} exhibits: ${label}\n${l.join('\n')}`).toBe(true);
      }
    }
  });

  it('a subheading with at least its first two lines, wherever it falls', async () => {
    for (const [n, text] of bundles) expect(strandedSubheadings(text), `${n} exhibits`).toEqual([]);
    const base = smallCase({ events: 20, clips: 20 }).source.model;
    for (let notes = 1; notes <= 12; notes++) expect(strandedSubheadings(pages(await pdfBytes(noted(base, notes)))), `${notes} notes`).toEqual([]);
  }, 120_000);

  it('the commands table: a header row on every page it reaches, and at least two rows under each header', () => {
    let split = false;
    for (const [n, text] of bundles) {
      const method = sectionPages(text, 'Method in plain English');
      let rows = 0;
      for (const page of method) {
        const l = lines(page);
        const first = l.findIndex((x) => COMMAND_ROW.test(x));
        if (first < 0) continue;
        expect(l.slice(0, first).some((x) => COMMAND_HEADER.test(x)), `${n} exhibits: rows without their header\n${l.join('\n')}`).toBe(true);
        const under = l.filter((x) => COMMAND_ROW.test(x)).length;
        expect(under, `${n} exhibits: rows under a header\n${l.join('\n')}`).toBeGreaterThanOrEqual(2);
        rows += under;
      }
      expect(rows, `${n} exhibits`).toBe(n);
      split ||= method.filter((p) => lines(p).some((x) => COMMAND_ROW.test(x))).length > 1;
    }
    // The case is one the table does break across pages in.
    expect(split).toBe(true);
  });

  it('a blank to complete with the words before it, never alone on a line', () => {
    for (const [n, text] of bundles) {
      const certificate = sectionPages(text, 'Records certificate').flatMap(lines);
      expect(certificate.some((x) => /as follows: _{14}\.$/.test(x)), `${n} exhibits\n${certificate.join('\n')}`).toBe(true);
      expect(certificate.filter((x) => /^_{14}[.,]?(?:\s|$)/.test(x)), `${n} exhibits`).toEqual([]);
    }
  });
});
