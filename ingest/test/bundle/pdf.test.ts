import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECTION_TITLES, assignExhibits, renderBundlePdf } from '../../src/bundle/index.ts';
import type { BundleModel } from '../../src/bundle/model.ts';
import { smallCase, tempDir } from './helpers.ts';

async function pdfBytes(model: BundleModel): Promise<Buffer> {
  const doc = renderBundlePdf(model, assignExhibits(model.exhibits, 'JS'), 'bundle.zip');
  const parts: Buffer[] = [];
  for await (const c of doc) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The text of each page (poppler's pdftotext -layout). */
function pages(pdf: Buffer): string[] {
  const file = join(tempDir(), 'bundle.pdf');
  writeFileSync(file, pdf);
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const count = Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]);
  return Array.from({ length: count }, (_, i) => spawnSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' }).stdout);
}


const emptyModel = (m: BundleModel): BundleModel => ({ ...m, deployments: [], events: [], series: [], diary: [], exhibits: [], levelCount: 0, evidence: { ...m.evidence, leaves: [] } });

describe('bundle.pdf', () => {
  it('numbers every page "Page N of M" and its index gives each section its page', async () => {
    const pdf = await pdfBytes(smallCase({ days: 3, events: 80 }).source.model);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pages(pdf);
    expect(text.length).toBeGreaterThan(SECTION_TITLES.length + 1);
    text.forEach((t, i) => expect(t).toContain(`Page ${i + 1} of ${text.length}`));
    for (const title of SECTION_TITLES) {
      const listed = new RegExp(`${title.replace('.', '\\.')}\\s.*page (\\d+)`).exec(text[0]!);
      expect(listed, title).not.toBeNull();
      const page = Number(listed![1]);
      // The section's heading is a line of the page the index names (sections follow on where they fit), and of no earlier page.
      const headed = (t: string): boolean => t.split('\n').some((line) => line.trim() === title);
      expect(headed(text[page - 1]!), title).toBe(true);
      expect(text.slice(1, page - 1).some(headed), title).toBe(false);
    }
    // 80 events: the schedule runs over a page break and repeats its header.
    const schedule = text.filter((t) => t.includes('Permitted') && t.includes('LAF90'));
    expect(schedule.length).toBeGreaterThanOrEqual(2);
    const rows = schedule.join('\n').match(/^\s*\d+\s+2026-\d\d-\d\d\s/gm) ?? [];
    expect(rows).toHaveLength(80);
  });

  it('has a bookmark per section and per night', async () => {
    const model = smallCase().source.model;
    const raw = (await pdfBytes(model)).toString('latin1');
    expect(raw).toContain('/Outlines');
    for (const title of ['Index', ...SECTION_TITLES, ...model.series.map((s) => s.label)]) expect(raw).toContain(`/Title (${title})`);
  });

  it('says honestly when there are no measurements in the period', async () => {
    const pdf = await pdfBytes(emptyModel(smallCase().source.model));
    const all = pages(pdf).join('\n').replace(/\s+/g, ' ');
    expect(all).toContain('No monitor was deployed for this case in this period, so there are no measurements in this period.');
    expect(all).toContain('No measurements in this period: there are no levels to chart.');
    expect(all).toContain('No monitor was deployed for this case in this period, so no events could be recorded.');
    expect(all).toContain('No audio clips were recorded in this period.');
  });

  it('names the complainant only when the officer chose to', async () => {
    const withheld = pages(await pdfBytes(smallCase().source.model)).find((p) => p.includes('. Case summary') && p.includes('Complainant'))!;
    expect(withheld).toContain('Not named in this bundle');
    const named = pages(await pdfBytes(smallCase({ complainant: true }).source.model)).find((p) => p.includes('. Case summary') && p.includes('Complainant'))!;
    expect(named).toContain('A. Resident, 07700 900123');
  });
});
