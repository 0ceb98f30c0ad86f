/**
 * The bundle's 1/3-octave evidence (issue 16), exported from a real data folder
 * fed through the real pipeline with signed level messages carrying bands:
 * data/bands.csv (every record, every column, listed in the manifest, the
 * bundle verifying); the low-frequency section for an event of the bass rule,
 * its 10–160 Hz levels against the background before it — figures worked out
 * here from the bands sent — with and without a configured criterion; and a
 * case without bands keeping its bundle as before (no bands.csv, no section).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANDS_HEADER } from '../../src/bundle/bands-csv.ts';
import { bandsCsvEntry } from '../../src/bundle/bands-csv-entry.ts';
import { SECTION_TITLES, verifyBundle } from '../../src/bundle/index.ts';
import { parseCsv } from '../../src/cases/csv.ts';
import { LowFrequencySettings } from '../../src/export/bands-criterion.ts';
import { exportCaseBundle } from '../../src/export/index.ts';
import { Settings } from '../../src/service/settings.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import { A, B, BANDS, BANDS_CLOCK0, BASS_AT, BASS_S, MIN, NOMINAL, PERIOD, T0, buildBandsCase, dB10At, iso } from './bands-case.ts';
import { type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

/** The energy mean over [from, to) of band k, to 0.1 dB, from dB10At alone. */
function mean(from: number, to: number, k: number): number | null {
  let e = 0;
  let n = 0;
  for (let t = from; t < to; t += 1000) {
    const v = dB10At(t, k);
    if (v === null) continue;
    e += 10 ** (v / 100);
    n++;
  }
  return n === 0 ? null : Math.round(100 * Math.log10(e / n)) / 10;
}

let f: ExportFixture;
const criterion = LowFrequencySettings.parse({ criterion: { name: 'Test curve T', source: 'Test table, not a published criterion', levelsDb: Object.fromEntries(NOMINAL.map((b, k) => [b, 70 - 3 * k])) } });

beforeAll(async () => {
  f = makeExportFixture(BANDS_CLOCK0);
  await buildBandsCase(f);
}, 120_000);
afterAll(() => f?.close());

async function exported(ref: string, lowFrequency?: LowFrequencySettings): Promise<{ zip: Map<string, Buffer>; text: string; path: string }> {
  const out = f.temp();
  const b = await exportCaseBundle(f.ingest, ref, PERIOD, { outDir: out, ...(lowFrequency === undefined ? {} : { lowFrequency }) });
  const zip = new Map((await readZipEntries(b.path)).map((e) => [e.name, e.bytes]));
  const pdf = join(out, 'bundle.pdf');
  writeFileSync(pdf, zip.get('bundle.pdf')!);
  // EARSHOT_PDF_DIR=dir keeps each PDF, to look at.
  if (process.env.EARSHOT_PDF_DIR !== undefined) writeFileSync(join(process.env.EARSHOT_PDF_DIR, `${ref}${lowFrequency === undefined ? '' : '-criterion'}.pdf`), zip.get('bundle.pdf')!);
  return { zip, text: spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout, path: b.path };
}

const fixed = (v: number | null): string => (v === null ? '–' : v.toFixed(1));

/** An event's band table as printed (pdftotext -layout): the bands across, a row per figure; each row's cells by its label. */
function bandTable(section: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\s*(Band \(Hz\)|Event, dB|Background, dB|Over background, dB|Criterion, dB|Over the criterion, dB)\s+(.+)$/.exec(line);
    if (m !== null && !rows.has(m[1]!)) rows.set(m[1]!, m[2]!.trim().split(/\s+/));
  }
  return rows;
}

describe('data/bands.csv', () => {
  it('holds every record\'s bands in every column, is in the manifest, and the bundle verifies', async () => {
    const { zip, path } = await exported(A);
    const r = parseCsv(zip.get('data/bands.csv')!.toString('utf8'));
    if (!r.ok) throw new Error(r.problem);
    const [header, ...rows] = r.records.map((x) => x.fields);
    expect(header).toEqual([...BANDS_HEADER]);
    expect(header!.slice(0, 4)).toEqual(['time_utc', 'time_london', 'device', 'Z_10']);
    expect(header!.at(-2)).toBe('Z_20000');
    expect(header!.at(-1)).toBe('duration_s');
    expect(rows).toHaveLength(7200);
    for (const i of [0, 3, 1799, 1800, 1850, 7199]) {
      const t = T0 + i * 1000;
      const want = Array.from({ length: 34 }, (_, k) => {
        const v = k < BANDS ? dB10At(t, k) : null;
        return v === null ? '' : (v / 10).toFixed(1);
      });
      expect(rows[i], iso(t)).toEqual([iso(t), iso(t).replace('.000Z', '+00:00'), 'mon-1', ...want, '1']);
    }
    expect(zip.get('MANIFEST.sha256')!.toString('utf8')).toMatch(/^[0-9a-f]{64} {2}data\/bands\.csv$/m);
    expect((await verifyBundle(path)).ok).toBe(true);
  });

  it('marks every row of a demonstration bundle', () => {
    const rows = ['time_utc,device\r\n', '2026-11-02T22:00:00.000Z,mon-1\r\n2026-11-02T22:00:01.000Z,mon-1\r\n'];
    const entry = bandsCsvEntry({ rows: 2, bytes: () => rows.map((s) => Buffer.from(s)) }, true);
    return new Promise<void>((resolve) => {
      const parts: Buffer[] = [];
      entry.open().on('data', (c: Buffer) => parts.push(c)).on('end', () => {
        expect(Buffer.concat(parts).toString()).toBe('time_utc,device,demonstration\r\n2026-11-02T22:00:00.000Z,mon-1,DEMONSTRATION DATA - not evidence\r\n2026-11-02T22:00:01.000Z,mon-1,DEMONSTRATION DATA - not evidence\r\n');
        expect(entry.path).toBe('data/bands.csv');
        resolve();
      });
    });
  });
});

describe('the low-frequency section', () => {
  it('gives the bass event\'s 10–160 Hz levels against the 5 quiet minutes before it, with no criterion configured', async () => {
    const { text } = await exported(A);
    // After the charts, numbered in turn; the other sections follow it.
    const charts = SECTION_TITLES.indexOf('6. Charts of measured levels');
    expect(charts).toBeGreaterThan(-1);
    expect(text).toContain('7. Low-frequency noise');
    expect(text).toContain(`8. ${SECTION_TITLES[charts + 1]!.replace(/^\d+\. /, '')}`);
    const section = text.slice(text.lastIndexOf('7. Low-frequency noise'), text.lastIndexOf(`8. ${SECTION_TITLES[charts + 1]!.replace(/^\d+\. /, '')}`));
    expect(section).toContain('No criterion curve is configured');
    expect(section).toContain('NANR45');
    expect(section).toContain('Low-frequency events in the period (1)');
    expect(section).toContain('Event 2026-11-02 22:30:00 to 22:33:00 UK time, monitor mon-1');
    expect(section).toContain('Background: 5 min 00 s measured between 22:25:00 and 22:30:00');
    // Each band's column: event, background, difference — worked out here.
    const table = bandTable(section);
    expect(table.get('Band (Hz)')).toEqual(NOMINAL);
    for (let k = 0; k < NOMINAL.length; k++) {
      const ev = mean(BASS_AT, BASS_AT + BASS_S * 1000, k);
      const bg = mean(BASS_AT - 5 * MIN, BASS_AT, k);
      const d = Math.round((ev! - bg!) * 10) / 10;
      expect(table.get('Event, dB')?.[k], `band ${NOMINAL[k]}`).toBe(fixed(ev));
      expect(table.get('Background, dB')?.[k], `band ${NOMINAL[k]}`).toBe(fixed(bg));
      expect(table.get('Over background, dB')?.[k], `band ${NOMINAL[k]}`).toBe(`${d > 0 ? '+' : ''}${d.toFixed(1)}`);
    }
    // The absolute rule's event is not a low-frequency event.
    expect(section).not.toContain('22:10');
  });

  it('compares with a configured criterion curve and prints its source', async () => {
    const { text } = await exported(A, criterion);
    const next = `8. ${SECTION_TITLES[SECTION_TITLES.indexOf('6. Charts of measured levels') + 1]!.replace(/^\d+\. /, '')}`;
    const section = text.slice(text.lastIndexOf('7. Low-frequency noise'), text.lastIndexOf(next));
    expect(section).toContain('Criterion: Test curve T. Source of its values: Test table, not a published criterion');
    const table = bandTable(section);
    for (let k = 0; k < NOMINAL.length; k++) {
      const ev = mean(BASS_AT, BASS_AT + BASS_S * 1000, k)!;
      const c = 70 - 3 * k;
      const over = Math.round((ev - c) * 10) / 10;
      expect(table.get('Event, dB')?.[k], `band ${NOMINAL[k]}`).toBe(ev.toFixed(1));
      expect(table.get('Criterion, dB')?.[k], `band ${NOMINAL[k]}`).toBe(c.toFixed(1));
      expect(table.get('Over the criterion, dB')?.[k], `band ${NOMINAL[k]}`).toBe(`${over > 0 ? '+' : ''}${over.toFixed(1)}`);
    }
  });

  it('leaves a case without bands or bass events as it was: no bands.csv and the same sections', async () => {
    const { zip, text } = await exported(B);
    expect([...zip.keys()]).not.toContain('data/bands.csv');
    expect(text).not.toContain('Low-frequency noise');
    for (const t of SECTION_TITLES) expect(text).toContain(t);
  });

  it('validates the criterion in the service settings: all 13 bands, numbers, a source', () => {
    const levelsDb = Object.fromEntries(NOMINAL.map((b) => [b, 40]));
    expect(Settings.parse({ lowFrequency: { criterion: { name: 'c', source: 's', levelsDb } } }).lowFrequency?.criterion?.levelsDb['160']).toBe(40);
    expect(Settings.parse({}).lowFrequency).toBeUndefined();
    const { '160': _, ...missing } = levelsDb;
    for (const bad of [
      { criterion: { name: 'c', source: 's', levelsDb: missing } },
      { criterion: { name: 'c', source: 's', levelsDb: { ...levelsDb, '200': 40 } } },
      { criterion: { name: 'c', levelsDb } },
      { criterion: { name: 'c', source: 's', levelsDb: { ...levelsDb, '10': 'loud' } } },
    ]) {
      expect(Settings.safeParse({ lowFrequency: bad }).success, JSON.stringify(bad).slice(0, 80)).toBe(false);
    }
  });
});
