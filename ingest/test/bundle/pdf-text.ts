/** Rendering bundle.pdf in tests, and reading it back with poppler-utils (pdftotext, pdffonts, pdfinfo) as a reader would. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignExhibits, renderBundlePdf } from '../../src/bundle/index.ts';
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
