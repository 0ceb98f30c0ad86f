import { describe, expect, it } from 'vitest';
import { chartTitle } from '../../src/bundle/chart-title.ts';
import { LondonClock } from '../../src/bundle/london-clock.ts';
import type { BundleModel, LevelSeries, ThresholdSegment } from '../../src/bundle/model.ts';
import { thresholdSteps, timeTicks } from '../../src/bundle/pdf/chart.ts';
import { monitorColours } from '../../src/bundle/pdf/charts.ts';
import { DEVICE } from './synthetic-case.ts';
import { smallCase } from './helpers.ts';
import { pages, pdfBytes, sectionPages, streamText } from './pdf-text.ts';

const P = Date.parse;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A series of one point a minute over [from, to). */
function series(from: string, to: string, deviceId = DEVICE, level = 40): LevelSeries {
  const t: number[] = [];
  for (let x = P(from); x < P(to); x += 60_000) t.push(x);
  return { label: chartTitle(P(from), P(to), deviceId), deviceId, from, to, t, LAeq: t.map(() => level), LAFmax: t.map(() => level + 8) };
}

/** The text of the chart pages (section 5) only. */
async function chartPages(model: BundleModel): Promise<string> {
  return sectionPages(pages(await pdfBytes(model)), 'Charts of measured levels').join('\n');
}

describe('charts: time axis, titles and units (issue 10 item 8)', () => {
  it('labels a 5-minute chart every minute, a 20-minute one every few minutes, and a day-and-night chart every hour', () => {
    const clock = new LondonClock();
    const labels = (from: string, to: string): string[] => timeTicks(P(from), P(to), 460, clock).filter((t) => t.label !== null).map((t) => t.label!);
    // 2 June is BST: 13:05 UTC is 14:05 UK time.
    expect(labels('2026-06-02T13:05:00.000Z', '2026-06-02T13:10:00.000Z')).toEqual(['14:05', '14:06', '14:07', '14:08', '14:09', '14:10']);
    const twenty = labels('2026-06-02T13:05:00.000Z', '2026-06-02T13:25:00.000Z');
    expect(twenty.length).toBeGreaterThanOrEqual(5);
    expect(twenty).toContain('14:05');
    expect(twenty).toContain('14:25');
    // Noon to noon in winter: all 25 hours, 12:00 … 12:00.
    const day = labels('2026-11-02T12:00:00.000Z', '2026-11-03T12:00:00.000Z');
    expect(day).toEqual(Array.from({ length: 25 }, (_, i) => `${String((12 + i) % 24).padStart(2, '0')}:00`));
    // The autumn night (25 h, 01:00 twice) and the spring night (23 h, no 01:00) are labelled as the clocks showed.
    const autumn = labels('2026-10-24T11:00:00.000Z', '2026-10-25T12:00:00.000Z');
    expect(autumn.filter((l) => l === '01:00')).toHaveLength(2);
    const spring = labels('2026-03-28T12:00:00.000Z', '2026-03-29T11:00:00.000Z');
    expect(spring).not.toContain('01:00');
    expect(spring).toContain('02:00');
  });

  it('titles each chart by what it shows and gives both axes their units', async () => {
    const m = smallCase().source.model;
    const afternoon = series('2026-06-02T13:05:00.000Z', '2026-06-02T13:10:00.000Z');
    const text = (await chartPages({ ...m, period: { from: afternoon.from, to: afternoon.to }, series: [afternoon], events: [], diary: [] })).replace(/\s+/g, ' ');
    expect(text).toContain('Tue 2 Jun 2026, daytime: 14:05 to 14:10, monitor mon-0007');
    expect(text).not.toContain('Night of');
    for (const l of ['14:05', '14:06', '14:07', '14:08', '14:09', '14:10']) expect(text).toContain(l);
    const raw = streamText(await pdfBytes({ ...m, series: [afternoon] }));
    expect(raw).toContain('Sound level, dB(A)');
    expect(raw).toContain('UK time (BST)');
    expect(chartTitle(P('2026-11-02T12:00:00.000Z'), P('2026-11-03T12:00:00.000Z'), 'mon-1')).toBe('Night of Mon 2 Nov 2026: 12:00 Mon 2 Nov to 12:00 Tue 3 Nov, monitor mon-1');
    expect(chartTitle(P('2026-11-02T21:00:00.000Z'), P('2026-11-03T01:30:00.000Z'), 'mon-1')).toBe('Part of the night of Mon 2 Nov 2026: 21:00 Mon 2 Nov to 01:30 Tue 3 Nov, monitor mon-1');
    // A period of seconds says which seconds (not "23:00 to 23:00").
    expect(chartTitle(P('2026-11-02T23:00:05.000Z'), P('2026-11-02T23:00:19.000Z'), 'mon-1')).toBe('Part of the night of Mon 2 Nov 2026: 23:00:05 Mon 2 Nov to 23:00:19 Mon 2 Nov, monitor mon-1');
  });
});

describe('charts: two monitors on one case (issue 10 item 6)', () => {
  it('draws one chart per monitor, each named, in its own colours with its name in the legend', async () => {
    const m = smallCase().source.model;
    const second = 'mon-0008';
    const other = m.series.map((s) => ({ ...s, deviceId: second, label: chartTitle(P(s.from), P(s.to), second), LAeq: s.LAeq.map((v) => (v === null ? null : v + 5)) }));
    const deployments = [...m.deployments, { ...m.deployments[0]!, deviceId: second }];
    const text = (await chartPages({ ...m, deployments, series: [m.series[0]!, other[0]!] })).replace(/\s+/g, ' ');
    expect(text).toContain(`${m.series[0]!.label}`);
    expect(text).toContain(`${other[0]!.label}`);
    expect(text).toContain('LAeq, mon-0007');
    expect(text).toContain('LAeq, mon-0008');
    expect(text).toContain('LAFmax, mon-0008');
    expect(text).not.toMatch(/LAeq LAFmax/);
    const colours = monitorColours([DEVICE, second, 'mon-0009']);
    const all = [...colours.values()].flatMap((c) => [c.LAeq, c.LAFmax]);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('charts: the thresholds the rules applied (issue 10 item 7)', () => {
  const seg = (deviceId: string, from: string, to: string, thresholdDb: number, label = 'Noise Act permitted level'): ThresholdSegment => ({ deviceId, ruleId: 'noise-act', label, from, to, thresholdDb, metric: 'LAeq' });

  it('clips each monitor’s segments to the chart window as steps', () => {
    const steps = thresholdSteps(
      [
        seg(DEVICE, '2026-03-28T22:00:00.000Z', '2026-03-29T01:00:00.000Z', 35),
        seg(DEVICE, '2026-03-29T01:00:00.000Z', '2026-03-29T07:00:00.000Z', 34),
        seg('mon-0008', '2026-03-28T22:00:00.000Z', '2026-03-29T07:00:00.000Z', 40),
        seg(DEVICE, '2026-03-30T22:00:00.000Z', '2026-03-31T06:00:00.000Z', 44),
      ],
      DEVICE,
      P('2026-03-28T18:00:00.000Z'),
      P('2026-03-29T05:00:00.000Z'),
    );
    expect(steps).toEqual([
      { ruleId: 'noise-act', label: 'Noise Act permitted level', metric: 'LAeq', from: P('2026-03-28T22:00:00.000Z'), to: P('2026-03-29T01:00:00.000Z'), db: 35 },
      { ruleId: 'noise-act', label: 'Noise Act permitted level', metric: 'LAeq', from: P('2026-03-29T01:00:00.000Z'), to: P('2026-03-29T05:00:00.000Z'), db: 34 },
    ]);
  });

  it('draws the model’s thresholds with their values, not a fixed line from today’s rules', async () => {
    const m = smallCase().source.model;
    const s = m.series[0]!;
    const from = P(s.from);
    const thresholds = [seg(DEVICE, iso(from + 5 * 3_600_000), iso(from + 9 * 3_600_000), 35), seg(DEVICE, iso(from + 9 * 3_600_000), iso(from + 13 * 3_600_000), 34.5), seg('mon-0008', s.from, s.to, 41)];
    const text = (await chartPages({ ...m, series: [s], thresholds })).replace(/\s+/g, ' ');
    // Each value by its line, and every value the rule applied on the chart in its legend entry.
    expect(text).toContain('35.0 dB');
    expect(text).toContain('34.5 dB');
    expect(text).toContain('Noise Act permitted level, as applied: 35.0, 34.5 dB');
    expect(text).not.toContain('41.0 dB');
    expect(text).not.toContain('Noise Act night 34 dB');
    expect(text).not.toContain('Loud peak 75 dB');
  });
});
