/**
 * Issue 10, the bundle's charts as a judge and a defence expert read them:
 * every exhibit on a chart is identifiable (a letter above the plot and a line
 * of the key under it, however crowded), threshold values are never written
 * over the measured levels, and a chart of a few seconds of data has an axis
 * that spans them, with labels, without a page to itself.
 */
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { chartTitle } from '../../src/bundle/chart-title.ts';
import { assignExhibits } from '../../src/bundle/exhibits.ts';
import { LondonClock } from '../../src/bundle/london-clock.ts';
import type { BundleModel, LevelSeries, ThresholdSegment } from '../../src/bundle/model.ts';
import { timeTicks } from '../../src/bundle/pdf/chart-axis.ts';
import { type ChartFrame, layoutChart } from '../../src/bundle/pdf/chart.ts';
import { marksFor } from '../../src/bundle/pdf/charts.ts';
import { FONT_FILES } from '../../src/bundle/pdf/fonts.ts';
import { FONT, newContext } from '../../src/bundle/pdf/layout.ts';
import { smallCase } from './helpers.ts';
import { pages, pdfBytes, sectionPages } from './pdf-text.ts';
import { DEVICE } from './synthetic-case.ts';

const P = Date.parse;
const iso = (ms: number): string => new Date(ms).toISOString();
const FRAME: ChartFrame = { x: 84, y: 100, w: 461, plotHeight: 200 };

/** A bare document with the bundle's fonts, for measuring layouts. */
function measuringDoc(): InstanceType<typeof PDFDocument> {
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: true });
  doc.registerFont(FONT.regular, FONT_FILES.regular);
  doc.registerFont(FONT.bold, FONT_FILES.bold);
  return doc;
}

/** Points every `stepMs` over [from, to), LAeq from `laeq(t)`, LAFmax 8 dB above. */
function series(from: number, to: number, stepMs: number, laeq: (t: number) => number, window = { from, to }): LevelSeries {
  const t: number[] = [];
  for (let x = from; x < to; x += stepMs) t.push(x);
  return { label: chartTitle(window.from, window.to, DEVICE), deviceId: DEVICE, from: iso(window.from), to: iso(window.to), t, LAeq: t.map(laeq), LAFmax: t.map((x) => laeq(x) + 8) };
}

/** The chart pages' text (section "Charts of measured levels"), one string per page. */
async function chartPages(model: BundleModel): Promise<string[]> {
  return sectionPages(pages(await pdfBytes(model)), 'Charts of measured levels').map((p) => p.replace(/\s+/g, ' '));
}

// The night of Sat 28 Mar 2026 (smallCase), 18:00 UTC to 08:00 UTC.
const NIGHT_FROM = P('2026-03-28T18:00:00.000Z');
const NIGHT_TO = NIGHT_FROM + 14 * 3_600_000;

/** The small case with its first night's events replaced by `n` events in a burst from 23:20 UTC, each with its own clip. */
function crowdedNight(n: number, everyMs: number): BundleModel {
  const m = smallCase({ events: 2, clips: 2 }).source.model;
  const proto = m.events[0]!;
  const clip = m.exhibits[0]!;
  const start = P('2026-03-28T23:20:00.000Z');
  const events = Array.from({ length: n }, (_, i) => ({ ...proto, id: `ev-b${i}`, start: iso(start + i * everyMs), end: iso(start + i * everyMs + 20_000), durationSeconds: 20 }));
  const exhibits = events.map((e, i) => ({ ...clip, clipId: `clip-b${i}`, eventId: e.id, start: e.start, durationSeconds: 15 }));
  const night = series(NIGHT_FROM, NIGHT_TO, 60_000, () => 38);
  return { ...m, events, exhibits, series: [night], diary: [], thresholds: [] };
}

describe('charts: every exhibit on a chart is identifiable (issue 10)', () => {
  it('letters each of 8 exhibits within a few minutes, sharing labels only as ranges, and keys every reference under the chart', async () => {
    const model = crowdedNight(8, 40_000);
    const ctx = newContext(measuringDoc(), model, assignExhibits(model.exhibits, 'JS'));
    const s = model.series[0]!;
    const layout = layoutChart(ctx.doc, FRAME, s, marksFor(ctx, s), ctx.clock);
    expect(layout.items.map((i) => i.name)).toEqual(['JS/1', 'JS/2', 'JS/3', 'JS/4', 'JS/5', 'JS/6', 'JS/7', 'JS/8']);
    // Every letter is on the chart: alone or inside a range such as "C–F", with a tick for each item.
    const named = layout.markers.flatMap((m) => {
      const [a, b] = m.text.split('–');
      const from = a!.charCodeAt(0) - 65;
      const to = (b ?? a!).charCodeAt(0) - 65;
      return Array.from({ length: to - from + 1 }, (_, k) => String.fromCharCode(65 + from + k));
    });
    expect(named).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    expect(layout.markers.reduce((n, m) => n + m.xs.length, 0)).toBe(8);
    // Labels in one row never overlap.
    for (const a of layout.markers) for (const b of layout.markers) if (a !== b && a.row === b.row) expect(a.x + a.w <= b.x || b.x + b.w <= a.x).toBe(true);

    const text = (await chartPages(model)).join(' ');
    for (let i = 1; i <= 8; i++) expect(text).toMatch(new RegExp(`[A-H] JS/${i}: audio from \\d\\d:\\d\\d:\\d\\d, 15 s; event ${i}\\b`));
  });

  it('keys an event that has no exhibit by its number in the schedule, and every exhibit of a busy night', async () => {
    const model = crowdedNight(30, 4 * 60_000);
    // Events 4, 9 and 22 without their clips.
    const dropped = new Set<string | null>(['ev-b3', 'ev-b8', 'ev-b21']);
    const m2 = { ...model, exhibits: model.exhibits.filter((x) => !dropped.has(x.eventId)) };
    const ctx = newContext(measuringDoc(), m2, assignExhibits(m2.exhibits, 'JS'));
    const layout = layoutChart(ctx.doc, FRAME, m2.series[0]!, marksFor(ctx, m2.series[0]!), ctx.clock);
    expect(layout.items).toHaveLength(30);
    expect(layout.markers.reduce((n, m) => n + m.xs.length, 0)).toBe(30);
    const text = (await chartPages(m2)).join(' ');
    for (let i = 1; i <= 27; i++) expect(text).toContain(`JS/${i}: audio from`);
    for (const n of [4, 9, 22]) expect(text).toContain(`Event ${n}: from`);
    expect(text).toContain('Key to the letters above the chart');
  });
});

describe('charts: threshold values never cover the levels (issue 10)', () => {
  const seg = (ruleId: string, label: string, from: number, to: number, thresholdDb: number, metric: ThresholdSegment['metric'] = 'LAeq'): ThresholdSegment => ({ deviceId: DEVICE, ruleId, label, from: iso(from), to: iso(to), thresholdDb, metric });

  /** Every drawn stretch of both lines, sampled every 0.25 pt, as the points the pen passes. */
  function tracePoints(layout: ReturnType<typeof layoutChart>, s: LevelSeries): [number, number][] {
    const out: [number, number][] = [];
    for (const values of [s.LAeq, s.LAFmax]) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        const [x1, y1] = [layout.px(s.t[i]!), layout.py(v!)];
        out.push([x1, y1]);
        if (i === 0 || values[i - 1] === null || s.t[i]! - s.t[i - 1]! > layout.maxGapMs) continue;
        const [x0, y0] = [layout.px(s.t[i - 1]!), layout.py(values[i - 1]!)];
        const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.25);
        for (let k = 1; k < n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
      }
    }
    return out;
  }

  it('writes each value clear of both traces: at the line’s end in the margin, or on a white box beside its line', async () => {
    const m = smallCase().source.model;
    // Levels that sit on the thresholds: around 45 dB all night, and in three 80-minute spans where the Noise Act
    // level applies, swinging 5 dB either side of it, so that no place along those lines is free of the trace.
    const SPAN = 80 * 60_000;
    const loud = [P('2026-03-28T22:00:00.000Z'), P('2026-03-29T00:30:00.000Z'), P('2026-03-29T03:00:00.000Z')];
    const spanOf = (t: number): number => loud.findIndex((a) => t >= a && t < a + SPAN);
    const s = series(NIGHT_FROM, NIGHT_TO, 60_000, (t) => (spanOf(t) >= 0 ? 34 + spanOf(t) + 5 * Math.sin(t / 40_000) : 44 + 2 * Math.sin(t / 600_000)));
    const thresholds = [
      seg('absolute', 'Loud noise threshold (LAeq)', NIGHT_FROM, NIGHT_TO, 45),
      seg('impulsive', 'Impulsive noise threshold (LAFmax)', NIGHT_FROM, NIGHT_TO, 52, 'LAFmax'),
      ...loud.map((a, i) => seg('noise-act', 'Noise Act permitted level (LAeq)', a, a + SPAN, 34 + i)),
    ];
    const model: BundleModel = { ...m, series: [s], thresholds, events: [], exhibits: [], diary: [] };
    const ctx = newContext(measuringDoc(), model, []);
    const layout = layoutChart(ctx.doc, FRAME, s, marksFor(ctx, s), ctx.clock);
    expect(layout.levelLabels.length).toBeGreaterThanOrEqual(3);
    const points = tracePoints(layout, s);
    for (const l of layout.levelLabels) {
      const covered = points.filter(([x, y]) => x >= l.x && x <= l.x + l.w && y >= l.y && y <= l.y + l.h);
      expect(covered, `${l.text} at ${l.x.toFixed(1)},${l.y.toFixed(1)}`).toEqual([]);
      // Inside the plot, or in the margin right of it.
      const b = layout.box;
      expect(l.y >= b.y - l.h && l.y + l.h <= b.y + b.h + l.h).toBe(true);
      expect(l.inMargin ? l.x >= b.x + b.w : l.x >= b.x && l.x + l.w <= b.x + b.w).toBe(true);
    }
    // The fixed thresholds run to the end: their values are in the margin.
    expect(layout.levelLabels.filter((l) => l.inMargin).map((l) => l.text).sort()).toEqual(['45.0 dB', '52.0 dB']);
    // And every value is in the legend, whatever could be written on the plot.
    const text = (await chartPages(model)).join(' ');
    expect(text).toContain('Loud noise threshold (LAeq), as applied: 45.0 dB');
    expect(text).toContain('Noise Act permitted level (LAeq), as applied: 34.0, 35.0, 36.0 dB');
  });
});

describe('charts: a few seconds of data (issue 10)', () => {
  const clock = new LondonClock();

  it('narrows the axis of a noon-to-noon chart to the 10 s measured, with second labels and the reason', async () => {
    const m = smallCase().source.model;
    const at = P('2026-03-28T21:14:07.000Z');
    // The night's window, but measurements for 10 s only (1 s points).
    const s = series(at, at + 10_000, 1000, (t) => 40 + ((t / 1000) % 3), { from: P('2026-03-28T12:00:00.000Z'), to: P('2026-03-29T11:00:00.000Z') });
    // A diary entry hours away (07:30 UTC, 08:30 BST) does not widen the axis, and is named under the chart.
    const diary = [{ ...m.diary[0]!, at: '2026-03-29T07:30:00.000Z' }];
    const model: BundleModel = { ...m, series: [s], events: [], exhibits: [], diary, thresholds: [] };
    const ctx = newContext(measuringDoc(), model, []);
    const layout = layoutChart(ctx.doc, FRAME, s, marksFor(ctx, s), ctx.clock);
    expect(layout.axis.narrowed).toBe(true);
    expect(layout.axis.from).toBeLessThanOrEqual(at);
    expect(layout.axis.to).toBeGreaterThanOrEqual(at + 10_000);
    expect(layout.axis.to - layout.axis.from).toBeLessThan(60_000);
    // The data fill most of the axis, not a sliver.
    expect(layout.px(at + 9_000) - layout.px(at)).toBeGreaterThan(layout.box.w / 2);
    const labels = timeTicks(layout.axis.from, layout.axis.to, layout.box.w, clock).filter((t) => t.label !== null).map((t) => t.label!);
    expect(labels.length).toBeGreaterThanOrEqual(4);
    for (const l of labels) expect(l).toMatch(/^21:1\d:\d\d$/);

    const [page, ...more] = await chartPages(model);
    expect(more).toEqual([]);
    expect(page).toContain('the axis spans 21:1');
    expect(page).toContain("Also in this chart's period, outside the time shown: diary entry D1 at 08:30.");
    for (const l of labels) expect(page).toContain(l);
  });

  it('labels a 10-second period in seconds', () => {
    const from = P('2026-06-02T13:05:00.000Z');
    const labels = timeTicks(from, from + 10_000, 461, clock).filter((t) => t.label !== null).map((t) => t.label!);
    expect(labels).toEqual(['14:05:00', '14:05:01', '14:05:02', '14:05:03', '14:05:04', '14:05:05', '14:05:06', '14:05:07', '14:05:08', '14:05:09', '14:05:10']);
  });

  it('puts a short chart on the page of the night before it rather than on a page of its own', async () => {
    const m = smallCase().source.model;
    const night = series(NIGHT_FROM, NIGHT_TO, 60_000, () => 38);
    const day2 = P('2026-03-29T11:00:00.000Z');
    const at = P('2026-03-30T01:02:03.000Z');
    const short = series(at, at + 12_000, 1000, () => 41, { from: day2, to: day2 + 86_400_000 });
    const model: BundleModel = { ...m, series: [night, short], events: [], exhibits: [], diary: [], thresholds: [] };
    // Sections follow on where they fit: the short chart shares its page with the night's chart, or, when the
    // section began low on a page and the night's chart filled the next, with the sections after it.
    const all = pages(await pdfBytes(model)).map((p) => p.replace(/\s+/g, ' '));
    const page = all.find((p) => p.includes(short.label))!;
    expect(page.includes(night.label) || /\d+\. Diary corroboration/.test(page), page).toBe(true);
    expect(all.filter((p) => p.includes(short.label) || p.includes(night.label)).length).toBeLessThanOrEqual(2);
  });
});

describe('charts: a key longer than the page (issue 10)', () => {
  it('goes on over the next page, every exhibit and event still keyed and nothing below the page foot', async () => {
    // 120 events two minutes apart, the first 10 with their clips (fewer exhibits keep the bundle quick to read back).
    const all = crowdedNight(120, 2 * 60_000);
    // A second chart after it follows on the key's last page.
    const next = series(P('2026-03-29T18:00:00.000Z'), P('2026-03-30T08:00:00.000Z'), 60_000, () => 36);
    const model = { ...all, exhibits: all.exhibits.slice(0, 10), series: [...all.series, next] };
    // The section may begin on the page before the first chart's (sections follow on where they fit).
    const chart = await chartPages(model);
    const first = chart.findIndex((p) => p.includes(all.series[0]!.label));
    expect(first).toBeLessThanOrEqual(1);
    expect(chart.length).toBe(first + 2);
    expect(chart[first + 1]).toContain(next.label);
    expect(chart[first + 1]).toContain('Key to the letters above the chart: every exhibit recorded in the time shown, and every event with no exhibit (continued)');
    const text = chart.join(' ');
    for (let i = 1; i <= 10; i++) expect(text).toContain(`JS/${i}: audio from`);
    for (let n = 11; n <= 120; n++) expect(text).toContain(`Event ${n}: from`);
    // The footer is the last thing on each page: no key line was drawn over or under it.
    for (const p of chart) expect(p.trimEnd()).toMatch(/Page \d+ of \d+$/);
  }, 60_000);
});
