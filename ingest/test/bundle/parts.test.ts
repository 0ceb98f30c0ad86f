import { describe, expect, it } from 'vitest';
import { LondonClock } from '../../src/bundle/london-clock.ts';
import { basicIso, bundleFileName, csvField, eventsNear, formatManifest, levelsCsv, parseManifest } from '../../src/bundle/index.ts';
import { assignExhibits } from '../../src/bundle/exhibits.ts';
import { exhibitsCovering } from '../../src/bundle/event-exhibits.ts';
import { scheduleGroup } from '../../src/bundle/schedule-groups.ts';
import type { BundleEvent, ExhibitClip, LevelRow } from '../../src/bundle/model.ts';

const clip = (clipId: string, start: string): ExhibitClip => ({ clipId, deviceId: 'mon-1', eventId: `e-${clipId}`, path: `/clips/${clipId}.wav`, start, durationSeconds: 10, sha256: 'a'.repeat(64) });

describe('bundle parts', () => {
  it('quotes CSV fields as RFC 4180 §2 requires', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(54.21)).toBe('54.21');
  });

  it('writes London time with its offset across both clock changes of 2026', () => {
    const c = new LondonClock();
    // The Summer Time Order 2002: clocks change at 01:00 UTC on the last Sundays of March and October.
    expect(c.iso(Date.parse('2026-03-29T00:59:59.000Z'))).toBe('2026-03-29T00:59:59+00:00');
    expect(c.iso(Date.parse('2026-03-29T01:00:00.000Z'))).toBe('2026-03-29T02:00:00+01:00');
    expect(c.iso(Date.parse('2026-10-25T00:30:00.000Z'))).toBe('2026-10-25T01:30:00+01:00');
    expect(c.iso(Date.parse('2026-10-25T01:30:00.000Z'))).toBe('2026-10-25T01:30:00+00:00');
  });

  it('formats levels.csv rows exactly, streaming in chunks, from sync or async sources', async () => {
    const row = (t: string, LAeq: number | null): LevelRow => ({ t: Date.parse(t), d: 1, deviceId: 'mon-1', LAeq, LCeq: 61.1, LZeq: 63.456789, LAFmax: -3.5, LAFmin: 0, LASmax: 100, LCpeak: null });
    const rows = [row('2026-10-25T00:59:59.000Z', 54.21), { ...row('2026-10-25T01:00:00.250Z', null), clockFlag: 'offset-over-2s' as const }, ...Array.from({ length: 2500 }, (_, i) => row(new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), 40))];
    const chunks: string[] = [];
    for await (const s of levelsCsv(rows)) chunks.push(s);
    expect(chunks.length).toBeGreaterThan(2);
    const lines = chunks.join('').split('\r\n');
    expect(lines[1]).toBe('2026-10-25T00:59:59.000Z,2026-10-25T01:59:59+01:00,1,54.21,61.1,63.456789,-3.5,0,100,,mon-1,');
    expect(lines[2]).toBe('2026-10-25T01:00:00.250Z,2026-10-25T01:00:00+00:00,1,,61.1,63.456789,-3.5,0,100,,mon-1,offset-over-2s');
    async function* asyncRows(): AsyncGenerator<LevelRow> {
      yield* rows;
    }
    const fromAsync: string[] = [];
    for await (const s of levelsCsv(asyncRows())) fromAsync.push(s);
    expect(fromAsync.join('')).toBe(chunks.join(''));
  });

  it('names the ZIP with filename-safe ISO 8601 basic times', () => {
    expect(basicIso('2026-03-01T22:00:00.000Z')).toBe('20260301T220000Z');
    expect(basicIso('2026-03-01T22:00:00.500Z')).toBe('20260301T220000.500Z');
    expect(bundleFileName('ASB-2026-0001', '2026-03-01T00:00:00.000Z', '2026-03-31T00:00:00.000Z')).toBe('ASB-2026-0001_20260301T000000Z_20260331T000000Z.zip');
  });

  it('numbers exhibits consecutively in recording order with the initials', () => {
    const ex = assignExhibits([clip('c3', '2026-03-03T00:00:00.000Z'), clip('c1', '2026-03-01T00:00:00.000Z'), clip('c2', '2026-03-02T00:00:00.000Z')], 'JS');
    expect(ex.map((e) => [e.clip.clipId, e.ref, e.file])).toEqual([
      ['c1', 'JS/1', 'exhibits/JS-1.wav'],
      ['c2', 'JS/2', 'exhibits/JS-2.wav'],
      ['c3', 'JS/3', 'exhibits/JS-3.wav'],
    ]);
    for (const bad of ['J', 'js', 'J/S', 'ABCDE', '../X']) expect(() => assignExhibits([], bad)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_INITIALS_INVALID' }));
  });

  it('reads back the manifest it writes and refuses malformed ones', () => {
    const entries = [
      { path: 'bundle.pdf', sha256: '0'.repeat(64) },
      { path: 'exhibits/JS-1.wav', sha256: 'f'.repeat(64) },
    ];
    const bytes = formatManifest(entries);
    expect(bytes.toString()).toBe(`${'0'.repeat(64)}  bundle.pdf\n${'f'.repeat(64)}  exhibits/JS-1.wav\n`);
    expect(parseManifest(bytes)).toEqual({ ok: true, entries });
    expect(parseManifest(Buffer.from(`${'0'.repeat(64)} *bundle.pdf\r\n`))).toEqual({ ok: true, entries: [entries[0]] });
    for (const bad of ['', `${'0'.repeat(63)}  a\n`, `${'0'.repeat(64)}  ../etc/passwd\n`, `${'0'.repeat(64)}  a\n${'1'.repeat(64)}  a\n`]) {
      expect(parseManifest(Buffer.from(bad))).toMatchObject({ ok: false, error: { code: 'EARSHOT_E_BUNDLE_MANIFEST_MALFORMED' } });
    }
  });

  it('lists every exhibit of the same monitor whose audio covers an event or holds a button press', () => {
    const ev = (id: string, start: string, end: string, deviceId = 'mon-1'): BundleEvent => ({ id, ruleId: 'r', deviceId, start, end, durationSeconds: (Date.parse(end) - Date.parse(start)) / 1000, LAeq: 50, LAFmax: 60, LAF90: 30, permittedDb: null, exceedanceDb: null, kind: 'event', state: 'ended', thresholdDb: 45, overByDb: 5, clockFlag: null });
    // Clips c1 22:00:00–22:00:10 (its own event e-c1), c2 22:00:05–22:00:15.
    const ex = assignExhibits([clip('c1', '2026-03-01T22:00:00.000Z'), clip('c2', '2026-03-01T22:00:05.000Z')], 'JS');
    const both = ev('both', '2026-03-01T22:00:04.000Z', '2026-03-01T22:00:06.000Z');
    const press = { ...ev('press', '2026-03-01T22:00:12.000Z', '2026-03-01T22:00:12.000Z'), kind: 'incident' as const, state: 'instant' as const };
    const atEnd = { ...ev('at-end', '2026-03-01T22:00:15.000Z', '2026-03-01T22:00:15.000Z'), kind: 'incident' as const, state: 'instant' as const };
    const before = ev('before', '2026-03-01T21:59:50.000Z', '2026-03-01T22:00:00.000Z');
    const own = ev('e-c1', '2026-03-01T21:00:00.000Z', '2026-03-01T21:00:01.000Z');
    const other = ev('other-monitor', '2026-03-01T22:00:04.000Z', '2026-03-01T22:00:06.000Z', 'mon-2');
    const m = exhibitsCovering([both, press, atEnd, before, own, other], ex);
    expect([both, press, atEnd, before, own, other].map((e) => m.get(e))).toEqual([['JS/1', 'JS/2'], ['JS/2'], [], [], ['JS/1'], []]);
  });

  it('groups the schedule by night (23:00–07:00 UK time) and daytime, across both clock changes', () => {
    const g = (t: string): string => scheduleGroup(Date.parse(t)).label;
    expect(g('2025-11-03T22:59:59.000Z')).toBe('Mon 3 Nov 2025, daytime (07:00–23:00)');
    expect(g('2025-11-03T23:00:00.000Z')).toBe('Night of Mon 3 Nov 2025 (23:00–07:00)');
    expect(g('2025-11-04T06:59:59.000Z')).toBe('Night of Mon 3 Nov 2025 (23:00–07:00)');
    expect(g('2025-11-04T07:00:00.000Z')).toBe('Tue 4 Nov 2025, daytime (07:00–23:00)');
    // The night of Sat 28 Mar 2026 begins at 23:00 GMT and ends at 07:00 BST (06:00 UTC): the clocks go forward at 01:00 UTC.
    expect(g('2026-03-28T22:59:59.000Z')).toBe('Sat 28 Mar 2026, daytime (07:00–23:00)');
    expect(g('2026-03-28T23:00:00.000Z')).toBe('Night of Sat 28 Mar 2026 (23:00–07:00)');
    expect(g('2026-03-29T05:59:59.000Z')).toBe('Night of Sat 28 Mar 2026 (23:00–07:00)');
    expect(g('2026-03-29T06:00:00.000Z')).toBe('Sun 29 Mar 2026, daytime (07:00–23:00)');
    // The night of Sat 24 Oct 2026 begins at 23:00 BST (22:00 UTC) and ends at 07:00 GMT.
    expect(g('2026-10-24T21:59:59.000Z')).toBe('Sat 24 Oct 2026, daytime (07:00–23:00)');
    expect(g('2026-10-24T22:00:00.000Z')).toBe('Night of Sat 24 Oct 2026 (23:00–07:00)');
    expect(g('2026-10-25T06:59:59.000Z')).toBe('Night of Sat 24 Oct 2026 (23:00–07:00)');
    expect(g('2026-10-25T07:00:00.000Z')).toBe('Sun 25 Oct 2026, daytime (07:00–23:00)');
  });

  it('finds the events within ±10 minutes of a diary entry', () => {
    const ev = (id: string, start: string, end: string): BundleEvent => ({ id, ruleId: 'r', deviceId: 'mon-1', start, end, durationSeconds: 60, LAeq: 50, LAFmax: 60, LAF90: 30, permittedDb: null, exceedanceDb: null, kind: 'event', state: 'ended', thresholdDb: 45, overByDb: 5, clockFlag: null });
    const events = [ev('before', '2026-03-01T21:40:00.000Z', '2026-03-01T21:49:59.000Z'), ev('edge', '2026-03-01T21:45:00.000Z', '2026-03-01T21:50:00.000Z'), ev('after', '2026-03-01T22:10:00.000Z', '2026-03-01T22:12:00.000Z'), ev('late', '2026-03-01T22:10:01.000Z', '2026-03-01T22:12:00.000Z')];
    expect(eventsNear('2026-03-01T22:00:00.000Z', events).map((e) => e.id)).toEqual(['edge', 'after']);
  });
});
