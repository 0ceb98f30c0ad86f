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
import { openCase, startDeployment } from '../../src/cases/index.ts';
import { LowFrequencySettings } from '../../src/export/bands-criterion.ts';
import { exportCaseBundle } from '../../src/export/index.ts';
import { Settings } from '../../src/service/settings.ts';
import { readZipEntries } from '../bundle/helpers.ts';
import { type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

const MIN = 60_000;
/** Monday 2 November 2026, 22:00 (GMT: UK time = UTC). */
const T0 = Date.parse('2026-11-02T22:00:00.000Z');
const A = 'ASB-2026-0201';
const B = 'ASB-2026-0202';
const iso = (ms: number): string => new Date(ms).toISOString();
const PERIOD = { from: iso(T0), to: iso(T0 + 2 * HOUR) };
const BASS_AT = T0 + 30 * MIN;
const BASS_S = 180;
const BANDS = 31; // 10 Hz … 10 kHz (a 24 kHz monitor)
const NOMINAL = ['10', '12.5', '16', '20', '25', '31.5', '40', '50', '63', '80', '100', '125', '160'];

/** What the monitor sent for second t, band k (0.1 dB): a quiet room, bass music 25–125 Hz during the event. */
function dB10At(t: number, k: number): number | null {
  const i = (t - T0) / 1000;
  if (k === 0 && i % 10 === 3) return null;
  const bass = t >= BASS_AT && t < BASS_AT + BASS_S * 1000 && k >= 4 && k <= 11 ? 250 + (i % 5) * 10 : 0;
  return 300 - k * 5 + ((i * 7 + k) % 30) + bass;
}

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
  f = makeExportFixture(T0 - 2 * HOUR);
  openCase(f.ingest.cases, { ref: A, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
  openCase(f.ingest.cases, { ref: B, category: 'general', officer: 'Jo Smith', address: '2 Elm Court, Leeds' });
  const mon = f.device('mon-1');
  const plain = f.device('mon-2');
  startDeployment(f.ingest.cases, { caseRef: A, deviceId: 'mon-1', installedAt: iso(T0 - HOUR), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
  startDeployment(f.ingest.cases, { caseRef: B, deviceId: 'mon-2', installedAt: iso(T0 - HOUR), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
  for (let i = 0; i < 7200; i += 600) {
    const records = Array.from({ length: 600 }, (_, k) => {
      const t = T0 + (i + k) * 1000;
      return { t: iso(t), d: 1, LAeq: 30, LCeq: 40, LZeq: 45, LAFmax: 35, LAFmin: 27, LASmax: 33, LCpeak: 60, Z3: { f0: '10' as const, dB10: Array.from({ length: BANDS }, (_, b) => dB10At(t, b)) } };
    });
    f.clock = T0 + (i + 600) * 1000;
    mon.send('levels', { fullScaleDb: 120, records }, f.clock);
  }
  plain.levels(T0, 3600, 33);
  f.clock = T0 + 2 * HOUR + MIN;
  await mon.event({ startMs: BASS_AT, seconds: BASS_S, laeq: 38, ruleId: 'bass', ruleType: 'low-frequency', threshold: 15, tone: 60, clip: false });
  await mon.event({ startMs: T0 + 70 * MIN, seconds: 60, laeq: 60, ruleId: 'loud', ruleType: 'absolute', threshold: 55, tone: 440, clip: false });
  await plain.event({ startMs: T0 + 20 * MIN, seconds: 60, laeq: 60, ruleId: 'loud', ruleType: 'absolute', threshold: 55, tone: 440, clip: false });
  f.clock = T0 + 3 * HOUR;
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
