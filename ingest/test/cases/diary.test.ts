import { afterEach, describe, expect, it } from 'vitest';
import { closeCase, openCase } from '../../src/cases/cases.ts';
import { contentMatches } from '../../src/cases/content.ts';
import { parseCsv } from '../../src/cases/csv.ts';
import { addDiaryEntry, listDiary } from '../../src/cases/diary.ts';
import { importDiaryCsv } from '../../src/cases/diary-import.ts';
import { parseResidentTime } from '../../src/cases/local-time-input.ts';
import { type Fixture, openFixture } from './fixture.ts';

let f: Fixture | undefined;
afterEach(() => {
  f?.close();
  f = undefined;
});

const REF = 'ASB-2026-0001';

function setup(): Fixture {
  const fx = openFixture();
  openCase(fx, { ref: REF, category: 'general', officer: 'P. Officer', address: '1 High St' });
  f = fx;
  return fx;
}

describe('RFC 4180 CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM', () => {
    const r = parseCsv('\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\r\nlines",\r\n\r\n3,,z');
    expect(r).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
        { line: 3, fields: ['2', 'two\r\nlines', ''] },
        { line: 6, fields: ['3', '', 'z'] },
      ],
    });
  });

  it('reports malformed quoting with its line', () => {
    expect(parseCsv('a\n"open')).toEqual({ ok: false, line: 2, problem: 'a quoted field is never closed' });
    expect(parseCsv('a\n"x"y')).toMatchObject({ ok: false, line: 2, problem: 'text after a closing quote' });
    expect(parseCsv('a\nx"y')).toMatchObject({ ok: false, line: 2 });
  });
});

describe('resident times', () => {
  it('reads offsets as given and local times as Europe/London', () => {
    expect(parseResidentTime('2026-03-01T22:15:00Z')).toEqual({ ms: Date.parse('2026-03-01T22:15:00Z') });
    expect(parseResidentTime('01/03/2026 22:15')).toEqual({ ms: Date.parse('2026-03-01T22:15:00Z') });
    expect(parseResidentTime('2026-07-01 22:15')).toEqual({ ms: Date.parse('2026-07-01T21:15:00Z') });
  });

  it('refuses times that do not exist or are ambiguous in London', () => {
    expect(parseResidentTime('2026-03-29 01:30')).toHaveProperty('problem'); // clocks go forward
    expect(parseResidentTime('2026-10-25 01:30')).toHaveProperty('problem'); // the repeated hour
    expect(parseResidentTime('yesterday')).toHaveProperty('problem');
    expect(parseResidentTime('31/02/2026 10:00')).toHaveProperty('problem');
  });
});

describe('diary', () => {
  it('adds an entry; the leaf commits to the text without holding it', () => {
    const fx = setup();
    const e = addDiaryEntry(fx, REF, { startedAt: '2026-03-01 23:10', endedAt: '2026-03-02 01:05', heard: 'Loud bass music', effect: 'Could not sleep' });
    expect(e).toMatchObject({ caseRef: REF, startedAt: '2026-03-01T23:10:00.000Z', source: 'officer', content: { heard: 'Loud bass music', effect: 'Could not sleep', recordedBy: null } });
    const leaf = fx.leaves().at(-1);
    expect(leaf).toMatchObject({ kind: 'diary', caseRef: REF, data: { diaryId: e.id, startedAt: '2026-03-01T23:10:00.000Z', contentSha256: e.contentSha256 } });
    expect(JSON.stringify(leaf)).not.toContain('bass');
    const stored = fx.db.prepare<[], { content: string }>('SELECT content FROM diary_entries').get();
    expect(contentMatches(stored?.content ?? '', e.contentSha256)).toBe(true);
  });

  it('refuses entries that end before they start, and entries on closed cases', () => {
    const fx = setup();
    expect(() => addDiaryEntry(fx, REF, { startedAt: '2026-03-01 23:10', endedAt: '2026-03-01 22:00', heard: 'x' })).toThrow(/ended before it started/);
    closeCase(fx, REF, 'resolved', 'P. Officer');
    expect(() => addDiaryEntry(fx, REF, { startedAt: '2026-03-01 23:10', heard: 'x' })).toThrow(expect.objectContaining({ code: 'EARSHOT_E_CASE_STATUS' }));
  });

  it('imports a whole good CSV, columns in any order', () => {
    const fx = setup();
    const csv = 'heard,started_at,ended_at,effect,recorded_by\r\n"Shouting, doors slamming",01/03/2026 23:00,01/03/2026 23:40,Woke the baby,\r\nBass music,2026-03-02T22:00:00Z,,,"Officer, by phone"\r\n';
    const r = importDiaryCsv(fx, REF, csv);
    expect(r).toEqual({ ok: true, imported: [1, 2], skipped: [] });
    const entries = listDiary(fx.db, REF);
    expect(entries.map((e) => [e.startedAt, e.endedAt, e.source, e.content?.heard, e.content?.recordedBy])).toEqual([
      ['2026-03-01T23:00:00.000Z', '2026-03-01T23:40:00.000Z', 'import', 'Shouting, doors slamming', null],
      ['2026-03-02T22:00:00.000Z', null, 'import', 'Bass music', 'Officer, by phone'],
    ]);
    expect(fx.leaves().filter((l) => l.kind === 'diary')).toHaveLength(2);
  });

  it('reports every bad row with its line number and imports nothing', () => {
    const fx = setup();
    const csv = [
      'started_at,heard,effect',
      '2026-03-01 23:00,Music,', // good
      '2026-03-01 23:00,,', // line 3: heard empty
      '"2026-03-01', // line 4–5: a quoted field with a line break is not a time
      '23:00",Music,x',
      'tomorrow,Music,x', // line 6
      '2026-03-01 23:00,Music', // line 7: too few fields
    ].join('\n');
    const r = importDiaryCsv(fx, REF, csv);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('EARSHOT_E_DIARY_CSV_INVALID');
    expect(r.problems.map((p) => p.line)).toEqual([3, 4, 6, 7]);
    expect(r.problems[0]?.problem).toMatch(/heard/);
    expect(listDiary(fx.db, REF)).toEqual([]);
    expect(fx.leaves().filter((l) => l.kind === 'diary')).toEqual([]);
  });

  it('refuses a file with unknown or missing columns', () => {
    const fx = setup();
    const r = importDiaryCsv(fx, REF, 'when,heard\n2026-03-01 23:00,x\n');
    expect(r).toMatchObject({ ok: false, problems: [{ line: 1, problem: expect.stringMatching(/unknown column "when"/) }, { line: 1, problem: 'missing column "started_at"' }] });
    expect(importDiaryCsv(fx, REF, '')).toMatchObject({ ok: false });
  });

  it('skips rows already on the case or repeated in the file, so a growing file can be sent again', () => {
    const fx = setup();
    const first = 'started_at,heard\n2026-03-01 23:00,Music\n2026-03-02 23:00,Shouting\n';
    expect(importDiaryCsv(fx, REF, first)).toMatchObject({ ok: true, imported: [1, 2], skipped: [] });
    const again = `${first}2026-03-03 23:00,Music\n2026-03-03 23:00,Music\n`;
    expect(importDiaryCsv(fx, REF, again)).toEqual({
      ok: true,
      imported: [3],
      skipped: [
        { line: 2, duplicateOf: { entryId: 1 } },
        { line: 3, duplicateOf: { entryId: 2 } },
        { line: 5, duplicateOf: { line: 4 } },
      ],
    });
    expect(listDiary(fx.db, REF)).toHaveLength(3);
  });
});
