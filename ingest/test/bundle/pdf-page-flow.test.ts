/**
 * How bundle.pdf's sections flow over its pages (issue 10, court bundle polish),
 * read back as a reader sees them: each page's text (pdftotext -layout) and the
 * PDF's bookmarks (pdftohtml's outline).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SECTION_TITLES } from '../../src/bundle/index.ts';
import { LF_BANDS, type LowFrequencyEvent } from '../../src/bundle/low-frequency-model.ts';
import type { BundleModel } from '../../src/bundle/model.ts';
import { smallCase } from './helpers.ts';
import { pages, pdfBytes, pdfFile } from './pdf-text.ts';

/** The page's lines with text, without the footer ("… Page N of M") and the demonstration notice. */
const lines = (page: string): string[] => page.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/Page \d+ of \d+$/.test(l) && !l.startsWith('DEMONSTRATION DATA'));

const title = (name: string, titles: readonly string[] = SECTION_TITLES): string => titles.find((t) => t.endsWith(`. ${name}`))!;

/** The 1-based page whose lines include the heading. */
const headingPage = (text: readonly string[], heading: string): number => text.findIndex((p, i) => i > 0 && lines(p).includes(heading)) + 1;

/** The index's page number for each section title. */
function indexPages(text: readonly string[], titles: readonly string[]): Map<string, number> {
  return new Map(titles.map((t) => [t, Number(new RegExp(`${t.replace('.', '\\.')}\\s.*page (\\d+)`).exec(text[0]!)?.[1])]));
}

/** The top-level bookmarks and the page each opens (poppler's pdftohtml writes the outline with page numbers). */
function bookmarks(pdf: Buffer): Map<string, number> {
  const xml = spawnSync('pdftohtml', ['-xml', '-i', '-stdout', '-q', pdfFile(pdf)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
  const out = new Map<string, number>();
  for (const m of xml.matchAll(/<item page="(\d+)">([^<]*)<\/item>/g)) if (!out.has(m[2]!)) out.set(m[2]!, Number(m[1]));
  return out;
}

/** A low-frequency event of the synthetic case's first hour, band levels rising to 40 Hz over a flat background. */
function lfEvent(m: BundleModel, n: number): LowFrequencyEvent {
  const start = Date.parse(m.period.from) + (20 + n * 7) * 60_000;
  return {
    eventId: `lf-${n}`,
    deviceId: m.deployments[0]!.deviceId,
    ruleId: 'bass',
    state: 'ended',
    start: new Date(start).toISOString(),
    end: new Date(start + 300_000).toISOString(),
    seconds: 300,
    levels: LF_BANDS.map((_, k) => 30 + 3 * Math.min(k, 6) + n),
    background: { intervals: [{ from: new Date(start - 300_000).toISOString(), to: new Date(start).toISOString() }], seconds: 300, levels: LF_BANDS.map(() => 14) },
  };
}

const withLowFrequency = (m: BundleModel, events: number): BundleModel => ({
  ...m,
  lowFrequency: { criterion: null, backgroundRule: 'the 5 minutes before the event', events: Array.from({ length: events }, (_, n) => lfEvent(m, n)) },
});

describe('bundle.pdf page flow', () => {
  it('lets a one-line section follow on the page before it, and starts the documents that stand alone on their own page', async () => {
    // No diary entries: the diary section is one line ("nothing to show").
    const model = { ...smallCase().source.model, diary: [] };
    const text = pages(await pdfBytes(model));
    const diary = headingPage(text, title('Diary corroboration'));
    expect(diary).toBeGreaterThan(1);
    const page = lines(text[diary - 1]!);
    // Another section's heading shares the diary's page.
    expect(page.filter((l) => SECTION_TITLES.includes(l)).length, page.join('\n')).toBeGreaterThanOrEqual(2);
    expect(text.length).toBeLessThan(SECTION_TITLES.length + 1);
    // CPR PD 32 para 17.1, para 11.3; Civil Evidence Act 1995 s.9: these open their page.
    for (const name of ['Draft witness statement', 'Exhibit labels', 'Records certificate']) {
      const p = headingPage(text, title(name));
      expect(lines(text[p - 1]!)[0], name).toBe(title(name));
    }
    expect(lines(text[headingPage(text, title('Nights summary')) - 1]!)[0]).toBe(title('Nights summary'));
  });

  it('never leaves a heading as the last line of a page, and its index and bookmarks name the page of each heading', async () => {
    const base = smallCase({ days: 3, events: 40 }).source.model;
    const d = base.deployments[0]!;
    // Installer's notes move every section after the equipment record down, a line or two at a time, so that
    // some heading comes near a page's foot.
    const noted = (m: BundleModel, notes: number): BundleModel => ({ ...m, deployments: [{ ...d, calibration: { ...d.calibration, installerNotes: Array.from({ length: notes }, (_, i) => `Note ${i + 1}: checked the position.`) } }] });
    const variants: BundleModel[] = [
      base,
      { ...base, diary: [] },
      withLowFrequency({ ...base, diary: base.diary.slice(0, 1) }, 3),
      { ...base, contacts: { ...base.contacts!, entries: [] }, exhibits: base.exhibits.slice(0, 1) },
      ...Array.from({ length: 12 }, (_, n) => noted(base, n + 1)),
    ];
    for (const [v, model] of variants.entries()) {
      const pdf = await pdfBytes(model);
      const text = pages(pdf);
      const titles = model.lowFrequency === undefined ? SECTION_TITLES : [...SECTION_TITLES.slice(0, 6).map((t) => t), '7. Low-frequency noise', ...SECTION_TITLES.slice(6).map((t) => t.replace(/^(\d+)\./, (_, n: string) => `${Number(n) + 1}.`))];
      text.forEach((p, i) => {
        const last = lines(p).at(-1);
        expect(titles.includes(last ?? ''), `variant ${v}, page ${i + 1} ends with the heading "${last}"`).toBe(false);
      });
      const index = indexPages(text, titles);
      const marks = bookmarks(pdf);
      for (const t of titles) {
        const page = headingPage(text, t);
        expect(page, `variant ${v}: ${t}`).toBeGreaterThan(1);
        expect(index.get(t), `variant ${v}: index of ${t}`).toBe(page);
        expect(marks.get(t), `variant ${v}: bookmark of ${t}`).toBe(page);
      }
    }
  }, 120_000);

  it("keeps the gap table's caption on the page of the table's header, wherever the table falls", async () => {
    const base = smallCase().source.model;
    const d = base.deployments[0]!;
    // Installer's notes push the gap table down the equipment pages, a few lines at a time.
    for (let notes = 0; notes <= 36; notes += 4) {
      const note = 'Fixed to the wardrobe side, away from the radiator; the resident asked for it to be moved once.';
      const model = { ...base, deployments: [{ ...d, calibration: { ...d.calibration, installerNotes: Array.from({ length: notes }, () => note) } }] };
      const text = pages(await pdfBytes(model));
      const caption = text.findIndex((p) => p.includes('Gaps in the measurements of monitor'));
      const table = text.findIndex((p) => /Gap from\s+Gap to\s+Length/.test(p));
      expect(caption, `${notes} notes`).toBeGreaterThan(0);
      expect(table, `${notes} notes`).toBe(caption);
      // The caption comes before the header, and a row of the table follows it there.
      const page = lines(text[caption]!);
      const at = page.findIndex((l) => /Gap from\s+Gap to\s+Length/.test(l));
      expect(page.findIndex((l) => l.includes('Gaps in the measurements of monitor'))).toBeLessThan(at);
      expect(page[at + 1], `${notes} notes`).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d/);
    }
  }, 120_000);

  it('draws two low-frequency events to a page where they fit', async () => {
    const model = withLowFrequency(smallCase().source.model, 4);
    const text = pages(await pdfBytes(model));
    const perPage = text.map((p) => lines(p).filter((l) => /^Event \d{4}-\d\d-\d\d \d\d:\d\d:\d\d to .* UK time, monitor /.test(l)).length).filter((n) => n > 0);
    expect(perPage.reduce((a, b) => a + b, 0)).toBe(4);
    expect(perPage.slice(0, -1).every((n) => n === 2) || perPage.every((n) => n <= 2)).toBe(true);
    expect(perPage.filter((n) => n === 2).length).toBeGreaterThanOrEqual(1);
    // Each event's figures, band by band: the bands across, the figures down.
    const flat = text.join('\n');
    expect(flat).toMatch(/Band \(Hz\)\s+10\s+12\.5\s+16\s+20\s+25\s+31\.5\s+40\s+50\s+63\s+80\s+100\s+125\s+160/);
    expect(flat).toMatch(/Event, dB\s+30\.0\s+33\.0\s+36\.0/);
    expect(flat).toMatch(/Background, dB\s+14\.0\s+14\.0/);
  });

  it("keeps an exhibit label's identification line, with the date's blank, on one line", async () => {
    // A name too long for one line even in the smaller size wraps, but never leaves the blank on a line of its own.
    for (const [officer, oneLine] of [['Jo Smith', true], ['Sam Okafor', true], ['Alexandra Catherine Whitfield-Montgomery', false]] as const) {
      const base = smallCase().source.model;
      const model = { ...base, case: { ...base.case, officer: { ...base.case.officer, name: officer } } };
      const text = pages(await pdfBytes(model));
      const labels = text.filter((p) => p.includes('This is the exhibit marked'));
      expect(labels.length, officer).toBe(model.exhibits.length);
      for (const p of labels) {
        const all = lines(p);
        const blank = all.find((l) => /_{14}\.$/.test(l))!;
        expect(blank, officer).toMatch(/\S+\smade\son\s_{14}\.$/);
        if (oneLine) expect(blank, officer).toMatch(new RegExp(`^This is the exhibit marked JS/\\d+ referred to in the witness statement of ${officer}\\smade\\son\\s_{14}\\.$`));
      }
    }
  });
});
