/**
 * The "Contact with the complainant" section as drawn (issue 12), from the
 * synthetic case, read back with pdftotext: the response target, each contact
 * with when, how, the summary and by whom, and the honest page without a log.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SECTION_TITLES } from '../../src/bundle/index.ts';
import { smallCase } from './helpers.ts';
import { pages, pdfBytes, sectionPages } from './pdf-text.ts';

function section(all: readonly string[]): string {
  const pagesOf = sectionPages(all, 'Contact with the complainant');
  expect(pagesOf.length, 'the contact section').toBeGreaterThan(0);
  return pagesOf.join('\n').replace(/\s+/g, ' ');
}

describe('contact with the complainant in bundle.pdf', () => {
  it('comes after the diary, with the target and each contact', async () => {
    const { model } = smallCase().source;
    expect(SECTION_TITLES.indexOf('8. Contact with the complainant')).toBe(SECTION_TITLES.indexOf('7. Diary corroboration') + 1);
    const pdf = await pdfBytes(model);
    // Kept for looking at (as the browser tests keep their screenshots).
    writeFileSync('/tmp/officer2-bundle.pdf', pdf);
    const s = section(pages(pdf));
    expect(s).toContain('Response target Met: first contact');
    expect(s).toContain('Contacts in the period 2');
    expect(s).toContain('Phone call');
    expect(s).toContain('Called the complainant: music most nights after 23:00;');
    expect(s).toContain('Sam Patel');
    expect(s).toContain('within the weekly contact');
  });

  it('says so when a bundle has no contact log, and when none was made in the period', async () => {
    const { model } = smallCase().source;
    const { contacts: _omitted, ...without } = model;
    expect(section(pages(await pdfBytes(without)))).toContain('No contact log was kept for this case when the bundle was made.');
    const none = section(pages(await pdfBytes({ ...model, contacts: { ...model.contacts!, entries: [], responseTarget: 'missed', firstContactAt: null } })));
    expect(none).toContain('Missed: no contact recorded; it was due by');
    expect(none).toContain('No contact with the complainant was recorded in this period.');
  });
});
