/**
 * Issue 12: the contact log in the court bundle — "Contact with the
 * complainant": when, how, the officer's summary, by whom, and the response
 * target met or missed; only the period's contacts; the complainant's name and
 * contact details withheld from the summaries unless the bundle names them.
 * End to end: a real data folder, exportCaseBundle, pdftotext on bundle.pdf.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCase, recordContact, startDeployment } from '../../src/cases/index.ts';
import { complainantPatterns, withhold } from '../../src/export/contacts.ts';
import { exportCaseBundle } from '../../src/export/index.ts';
import { createUsers } from '../../src/users/index.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import { sectionPages } from '../bundle/pdf-text.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

const REF = 'ASB-2026-0007';
const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const PERIOD = { from: iso(T0 + DAY), to: iso(T0 + 9 * DAY) };

let f: ExportFixture;
beforeEach(() => { f = makeExportFixture(T0); });
afterEach(() => f.close());

/** The text of the contact section, from its heading to the next section's. */
async function contactSection(path: string, dir: string): Promise<string> {
  const pdf = (await readZipEntries(path)).find((e) => e.name === 'bundle.pdf')!.bytes;
  const file = join(dir, 'bundle.pdf');
  writeFileSync(file, pdf);
  const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
  // From the heading to the next section's (sections follow on where they fit).
  const pagesOf = sectionPages(text.split('\f'), 'Contact with the complainant');
  expect(pagesOf.length, 'the contact section').toBeGreaterThan(0);
  return pagesOf.join('\n').replace(/\s+/g, ' ');
}

async function seed(category: 'high-risk' | 'general'): Promise<void> {
  await createUsers(f.ingest.db, { scrypt: { N: 1024, r: 8, p: 1 } }).add({ username: 'jsmith', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'a long enough password' });
  f.ingest.registry.add('mon-1', {});
  openCase(f.ingest.cases, { ref: REF, category, officer: 'jsmith', address: '1 Elm Court, Leeds', complainant: { name: 'Ann Neighbour', contact: '07700 900001' } });
  startDeployment(f.ingest.cases, { caseRef: REF, deviceId: 'mon-1', installedAt: iso(T0 + HOUR), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
}

const contact = (atMs: number, method: 'visit' | 'phone' | 'email' | 'letter' | 'text', summary: string, by = 'jsmith'): void => {
  f.clock = atMs + 60_000;
  recordContact(f.ingest.cases, { caseRef: REF, at: iso(atMs), method, summary, by });
};

describe('the contact log in the court bundle', () => {
  it('lists the period’s contacts with when, how, summary and by whom; the target met; the complainant withheld unless named', async () => {
    await seed('general');
    contact(T0 + 2 * HOUR, 'phone', 'First call: music after 23:00 most nights.');
    contact(T0 + 2 * DAY, 'visit', 'Visited Ann Neighbour at home; call her on 07700 900 001 after 6pm. Mrs Neighbour keeps a diary.');
    contact(T0 + 8 * DAY, 'letter', 'Wrote with an update on the warning letter.', 'sam-patel');
    contact(T0 + 10 * DAY, 'email', 'After the period: not in the bundle.');
    f.clock = T0 + 11 * DAY;

    const out = f.temp();
    const withheld = await contactSection((await exportCaseBundle(f.ingest, REF, PERIOD, { outDir: out })).path, f.temp());
    // The target: general, 5 working days; the first contact (before the period) met it.
    expect(withheld).toMatch(/Response target Met: first contact 2026-11-02 14:00, due by 2026-11-10 00:00\./);
    expect(withheld).toContain('Contacts in the period 2');
    expect(withheld).toContain('2026-11-04 12:00 Visit');
    expect(withheld).toContain('Visited [the complainant] at home; call her on [contact details withheld] after 6pm. Mrs [the complainant] keeps a diary.');
    expect(withheld).toContain('Jo Smith');
    // An account no longer in the users table: its username.
    expect(withheld).toContain('2026-11-10 12:00 Letter Wrote with an update on the warning letter. sam-patel');
    expect(withheld).toContain('6.0 days between contacts in the period (within the weekly contact');
    expect(withheld).not.toMatch(/Neighbour|07700|900 001/);
    expect(withheld).not.toContain('First call');
    expect(withheld).not.toContain('After the period');
    expect(withheld).toContain('The complainant is not named in this bundle');

    const named = await contactSection((await exportCaseBundle(f.ingest, REF, { ...PERIOD, includeComplainant: true }, { outDir: f.temp() })).path, f.temp());
    expect(named).toContain('Visited Ann Neighbour at home; call her on 07700 900 001 after 6pm. Mrs Neighbour keeps a diary.');
    expect(named).not.toContain('The complainant is not named in this bundle');
  });

  it('shows a missed target: a high-risk case first contacted after 24 hours', async () => {
    await seed('high-risk');
    contact(T0 + 30 * HOUR, 'text', 'Texted to arrange a visit.');
    f.clock = T0 + 11 * DAY;
    const s = await contactSection((await exportCaseBundle(f.ingest, REF, PERIOD, { outDir: f.temp() })).path, f.temp());
    expect(s).toContain('Response target Missed: first contact 2026-11-03 18:00, due by 2026-11-03 12:00.');
    expect(s).toContain('Text message Texted to arrange a visit.');
  });

  it('withholds a name and a phone number however they are written, and nothing else', () => {
    const p = complainantPatterns({ name: 'C. Neighbour', contact: '07700 900000' });
    expect(withhold('Spoke to c. neighbour (tel 07700-900-000); NEIGHBOUR agreed. Neighbourhood team told.', p))
      .toBe('Spoke to [the complainant] (tel [contact details withheld]); [the complainant] agreed. Neighbourhood team told.');
    expect(withhold('Emailed A@Example.org', complainantPatterns({ name: 'Al', contact: 'a@example.org' }))).toBe('Emailed [contact details withheld]');
  });
});
