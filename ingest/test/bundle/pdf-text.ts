/** Rendering bundle.pdf in tests, and reading it back with poppler-utils (pdftotext, pdffonts, pdfinfo) as a reader would. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECTION_TITLES, assignExhibits, renderBundlePdf } from '../../src/bundle/index.ts';
import type { BundleModel } from '../../src/bundle/model.ts';
import { tempDir } from './helpers.ts';

export async function pdfBytes(model: BundleModel, initials = 'JS'): Promise<Buffer> {
  const doc = renderBundlePdf(model, assignExhibits(model.exhibits, initials), 'bundle.zip');
  const parts: Buffer[] = [];
  for await (const c of doc) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export function pdfFile(pdf: Buffer): string {
  const file = join(tempDir(), 'bundle.pdf');
  writeFileSync(file, pdf);
  return file;
}

/** The text of each page (poppler's pdftotext -layout). */
export function pages(pdf: Buffer): string[] {
  const file = pdfFile(pdf);
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const count = Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]);
  return Array.from({ length: count }, (_, i) => spawnSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' }).stdout);
}

/** Whole-document text with runs of white space made one space. */
export function flatText(pdf: Buffer): string {
  return pages(pdf).join('\n').replace(/\s+/g, ' ');
}

/** Whole-document text in drawing order (pdftotext without -layout: a table cell's lines stay together), white space made one space. */
export function streamText(pdf: Buffer): string {
  return spawnSync('pdftotext', [pdfFile(pdf), '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
}

/** Every section's name, as its heading gives it after its number (the low-frequency section only in some bundles). */
const SECTION_NAMES: readonly string[] = [...SECTION_TITLES.map((t) => t.replace(/^\d+\. /, '')), 'Low-frequency noise'];

/** A page's line that is a section's heading: "3. Equipment and deployment record". */
function headingName(line: string): string | null {
  const m = /^\d+\. (.+)$/.exec(line.trim());
  return m !== null && SECTION_NAMES.includes(m[1]!) ? m[1]! : null;
}

/**
 * The pages of the section named `name` (e.g. "Exhibit list"), from its
 * heading to the next section's: sections follow on the page before them where
 * they fit, so the first page is taken from the heading on and the last up to
 * the next heading (with the page's footer, "… Page N of M"). The index page is
 * not searched.
 */
export function sectionPages(all: readonly string[], name: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const page of all.slice(1)) {
    const kept: string[] = [];
    const lines = page.split('\n');
    for (const line of lines) {
      const heading = headingName(line);
      if (heading === name) inside = true;
      else if (heading !== null && inside) {
        const footer = lines.filter((l) => /Page \d+ of \d+\s*$/.test(l));
        if (kept.some((l) => l.trim() !== '' && !l.startsWith('DEMONSTRATION DATA'))) out.push([...kept, ...footer].join('\n'));
        return out;
      }
      if (inside) kept.push(line);
    }
    if (inside) out.push(kept.join('\n'));
  }
  return out;
}
