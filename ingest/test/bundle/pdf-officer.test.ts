import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SECTION_TITLES } from '../../src/bundle/index.ts';
import type { BundleModel } from '../../src/bundle/model.ts';
import { smallCase } from './helpers.ts';
import { pages, pdfBytes, sectionPages, streamText } from './pdf-text.ts';

const STATEMENT_OF_TRUTH =
  'I believe that the facts stated in this witness statement are true. I understand that proceedings for contempt of court may be brought against anyone who makes, or causes to be made, a false statement in a document verified by a statement of truth without an honest belief in its truth.';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The pages of the section titled `name` (from its heading to the next section's). */
function section(all: readonly string[], name: string): string[] {
  const pagesOf = sectionPages(all, name);
  expect(pagesOf.length, name).toBeGreaterThan(0);
  return pagesOf;
}

const flat = (p: readonly string[]): string => p.join('\n').replace(/\s+/g, ' ');

/** The synthetic case with a third exhibit whose audio is byte for byte the first's. */
function withDuplicate(m: BundleModel): BundleModel {
  const first = m.exhibits[0]!;
  const dup = { ...first, clipId: 'clip-copy', eventId: m.events[2]!.id, start: m.events[2]!.start };
  return { ...m, exhibits: [...m.exhibits, dup] };
}

describe('the officer’s sections', () => {
  it('drafts a witness statement in PD 32 form: heading, numbered paragraphs, each exhibit produced, the CPR 22 statement of truth', async () => {
    const m = smallCase().source.model;
    const all = pages(await pdfBytes(m));
    const text = flat(section(all, 'Draft witness statement'));
    expect(text).toContain('Case reference ASB-2026-0042');
    expect(text).toMatch(/Witness J\. Smith/);
    expect(text).toMatch(/Statement no\. 1/);
    expect(text).toContain('Exhibits JS/1 to JS/2');
    expect(text).toMatch(/ 1\. I, Jo Smith, /);
    for (const n of [2, 3, 4, 5]) expect(text).toMatch(new RegExp(` ${n}\\. [A-Z]`));
    expect(text).toMatch(/I produce exhibit JS\/1, .*exhibits\/JS-1\.wav/);
    expect(text).toMatch(/I produce exhibit JS\/2, .*exhibits\/JS-2\.wav/);
    // The statement of truth as CPR PD 22 para 2.1 words it, in drawing order (one paragraph).
    expect(streamText(await pdfBytes(m))).toContain(STATEMENT_OF_TRUTH);
    for (const line of ['Signed', 'Full name', 'Position or role', 'Date']) expect(text).toContain(`${line} ____`);
  });

  it('prints one label sheet per exhibit with its reference, description, file and SHA-256', async () => {
    const m = smallCase().source.model;
    const labels = section(pages(await pdfBytes(m)), 'Exhibit labels');
    expect(labels).toHaveLength(m.exhibits.length);
    m.exhibits.forEach((clip, i) => {
      const p = labels[i]!.replace(/\s+/g, ' ');
      expect(p).toContain(`This is the exhibit marked JS/${i + 1} referred to in the witness statement of Jo Smith`);
      expect(p).toContain(`exhibits/JS-${i + 1}.wav`);
      expect(p).toContain(clip.sha256);
      expect(p).toContain('Audio recording');
    });
  });

  it('says on the exhibit list which file each reference is, and flags byte-identical exhibits', async () => {
    const m = withDuplicate(smallCase().source.model);
    const pagesOfList = section(pages(await pdfBytes(m)), 'Exhibit list');
    const list = flat(pagesOfList);
    expect(list).toContain('exhibit JS/1 is the file exhibits/JS-1.wav');
    // Each row's first line (pdftotext -layout) starts with its reference and carries the start of its note.
    const lines = pagesOfList.join('\n').split('\n');
    const row = (ref: string): string => {
      const at = lines.findIndex((l) => l.startsWith(`${ref} `));
      const next = lines.findIndex((l, i) => i > at && (/^[A-Z]{2}\/\d/.test(l) || l.trim() === ''));
      return lines.slice(at, next).join(' ').replace(/\s+/g, ' ');
    };
    expect(row('JS/1')).toMatch(/exhibits\/JS-1\.wav.*Identical to.*JS\/3/);
    expect(row('JS/3')).toMatch(/exhibits\/JS-3\.wav.*Identical to.*JS\/1/);
    expect(row('JS/2')).not.toContain('Identical');
    expect(list).not.toContain('ev-0001');
  });

  it('gives a Civil Evidence Act 1995 s.9 records certificate naming the system, its version, the monitors and the period', async () => {
    const m = smallCase().source.model;
    const text = flat(section(pages(await pdfBytes(m)), 'Records certificate'));
    expect(text).toContain('Civil Evidence Act 1995');
    expect(text).toContain('section 9');
    expect(text).toContain(`Earshot version ${VERSION}`);
    expect(text).toContain('mon-0007');
    expect(text).toContain('2026-03-28 12:00 to 2026-03-30 13:00');
    for (const line of ['Signed', 'Full name', 'Position', 'Date']) expect(text).toContain(`${line} ____`);
  });
});
