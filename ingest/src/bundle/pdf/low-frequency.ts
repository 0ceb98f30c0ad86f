/**
 * The low-frequency section (issue 16), present when the period has events of
 * the low-frequency (bass) rule: a summary of those events, then for each of
 * them (the MAX_DETAILED most marked, when there are more) a chart and a table
 * of its 1/3-octave band levels from 10 to 160 Hz — the range of the Defra
 * NANR45 procedure — against the background just before it and, when the
 * service's settings give one, a criterion curve with the source of its values.
 * data/bands.csv holds every second's bands.
 */
import { exhibitsByEvent } from '../exhibits.ts';
import { londonMinute, londonTimeOfDay } from '../london-clock.ts';
import { LF_BANDS, type LowFrequencyCriterionCurve, type LowFrequencyEvent } from '../low-frequency-model.ts';
import { drawLowFrequencyChart } from './low-frequency-chart.ts';
import { CONTENT_BOTTOM, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, db, duration, paragraph, printable, subheading } from './layout.ts';
import { drawTable } from './table.ts';

/** Events drawn in full; the rest are in the summary table and data/bands.csv. */
export const MAX_DETAILED = 12;
/** Plot height, pt: low enough that two events, each with its table, share a page (A4 content is 722 pt tall). */
const PLOT_HEIGHT = 150;
const Y_AXIS = 34;
/** Under the plot: its axis labels and legend (low-frequency-chart.ts), pt. */
const UNDER_PLOT = 44;
/** One table row at SIZE.small with its padding (table.ts), pt. */
const ROW = SIZE.small * 1.2 + 5;
/** Space after an event's table before the next event's title, pt. */
const AFTER = 14;

/** Title, background line, plot, axis labels and legend, and the table (a header, with room for it to wrap, and a row per figure). */
const block = (rows: number): number => 30 + PLOT_HEIGHT + UNDER_PLOT + (rows + 2) * ROW + 8;

const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.round((a - b) * 10) / 10);
const signed = (v: number | null): string => (v === null ? '–' : `${v > 0 ? '+' : ''}${v.toFixed(1)}`);

/** The most an event's bands stand above the criterion (if any) or the background, dB, and at which band. */
export function largestExcess(e: LowFrequencyEvent, criterion: LowFrequencyCriterionCurve | null): { db: number | null; band: string | null } {
  let best: number | null = null;
  let band: string | null = null;
  e.levels.forEach((v, k) => {
    const d = diff(v, criterion === null ? e.background.levels[k]! : criterion.levelsDb[k]!);
    if (d !== null && (best === null || d > best)) {
      best = d;
      band = LF_BANDS[k]!;
    }
  });
  return { db: best, band };
}

export function renderLowFrequency(ctx: SectionContext, bookmark: (label: string) => void): void {
  const { doc, model, clock } = ctx;
  const lf = model.lowFrequency;
  if (lf === undefined) return;
  const c = lf.criterion;
  const against = c === null ? 'the background' : 'the criterion';
  paragraph(doc, `The monitor's low-frequency (bass) rule flags noise whose C-weighted level stands well above its A-weighted level: music, a bass line or machinery through a wall. For each such event this section gives what the monitor measured in each 1/3-octave band from 10 to 160 Hz (filters to IEC 61260-1:2014 class 1; Z-weighted, that is without frequency weighting): the energy mean over the event of its 1-second band levels (Leq per band, dB). The bands and range are those the Defra procedure for assessing low-frequency noise uses (Moorhouse, Waddington and Adams, "Proposed criteria for the assessment of low frequency noise disturbance", Defra NANR45, 2005, revised 2011).`);
  paragraph(doc, `Background: for each event, the same figures over ${lf.backgroundRule}. A band well above the background is sound the event added.`);
  if (c === null) {
    paragraph(doc, 'No criterion curve is configured for this service, so the levels are compared with the background only. A criterion (for example a reference curve of the NANR45 procedure, with its source) can be set in the service\'s settings (lowFrequency.criterion); Earshot does not supply its values.');
  } else {
    paragraph(doc, `Criterion: ${c.name}. Source of its values: ${c.source}. A positive "over the criterion" figure is a band whose level was above the curve.`);
  }
  paragraph(doc, 'Every 1-second record\'s bands, 10 Hz to 20 kHz, are in data/bands.csv.', { muted: true });

  const refs = exhibitsByEvent(ctx.exhibits);
  const events = lf.events;
  subheading(doc, `Low-frequency events in the period (${events.length})`);
  drawTable(
    doc,
    [
      { header: 'Started (UK time)', width: 17 },
      { header: 'Monitor', width: 12 },
      { header: 'Duration', width: 10, align: 'right' },
      { header: 'Exhibit', width: 9 },
      { header: 'Loudest band 10–160 Hz', width: 16, align: 'right' },
      { header: `Most over ${against}`, width: 18, align: 'right' },
    ],
    events.map((e) => {
      let loud: number | null = null;
      let loudBand = '';
      e.levels.forEach((v, k) => {
        if (v !== null && (loud === null || v > loud)) {
          loud = v;
          loudBand = LF_BANDS[k]!;
        }
      });
      const x = largestExcess(e, c);
      const seconds = (Date.parse(e.end) - Date.parse(e.start)) / 1000;
      return [
        londonMinute(e.start, clock) + (e.state === 'ongoing' ? ' (still going at the end of the period)' : ''),
        e.deviceId,
        duration(seconds),
        refs.get(e.eventId)?.join(', ') ?? '–',
        loud === null ? 'not measured' : `${db(loud)} dB at ${loudBand} Hz`,
        x.db === null ? '–' : `${signed(x.db)} dB at ${x.band} Hz`,
      ];
    }),
  );

  // The most marked events in full, in time order.
  const ranked = events.map((e, i) => ({ e, i, x: largestExcess(e, c).db ?? Number.NEGATIVE_INFINITY })).sort((a, b) => b.x - a.x || a.i - b.i);
  const detailed = ranked.slice(0, MAX_DETAILED).sort((a, b) => a.i - b.i).map((r) => r.e);
  if (events.length > MAX_DETAILED) {
    paragraph(doc, `The ${MAX_DETAILED} events whose bands stood furthest above ${against} are shown in full below; the others' figures are in the table above and data/bands.csv.`, { muted: true });
  }
  const figures = c === null ? 3 : 5;
  for (const e of detailed) {
    if (doc.y + block(figures) > CONTENT_BOTTOM) {
      doc.addPage();
      doc.y = MARGIN.top;
    }
    const title = `Event ${londonMinute(e.start, clock).slice(0, 10)} ${londonTimeOfDay(e.start, clock)} to ${londonTimeOfDay(e.end, clock)} UK time, monitor ${e.deviceId}`;
    bookmark(title);
    doc.font(FONT.bold).fontSize(SIZE.subheading).fillColor('#111111').text(printable(title), MARGIN.left, doc.y, { width: CONTENT_WIDTH });
    const bg = e.background;
    const bgText = bg.intervals.length === 0
      ? 'No quiet time was recorded before this event: there is no background to compare with.'
      : `Background: ${duration(bg.seconds)} measured between ${londonTimeOfDay(bg.intervals[0]!.from, clock)} and ${londonTimeOfDay(bg.intervals.at(-1)!.to, clock)}${bg.intervals.length > 1 ? ` (in ${bg.intervals.length} parts, around other events)` : ''}. Event: ${duration(e.seconds)} of band levels.`;
    doc.font(FONT.regular).fontSize(SIZE.small).fillColor('#555555').text(printable(bgText), MARGIN.left, doc.y + 1, { width: CONTENT_WIDTH });
    const top = doc.y + 10;
    drawLowFrequencyChart(doc, { x: MARGIN.left + Y_AXIS, y: top, w: CONTENT_WIDTH - Y_AXIS - 4, h: PLOT_HEIGHT }, e, c);
    doc.x = MARGIN.left;
    doc.y = top + PLOT_HEIGHT + UNDER_PLOT;
    // One column per band, as along the chart's frequency axis; one row per figure.
    const row = (name: string, values: readonly (number | null)[], show: (v: number | null) => string): string[] => [name, ...values.map(show)];
    const overBackground = e.levels.map((v, k) => diff(v, bg.levels[k]!));
    drawTable(
      doc,
      [{ header: 'Band (Hz)', width: 7 }, ...LF_BANDS.map((b) => ({ header: b, width: 2, align: 'right' as const }))],
      [
        row('Event, dB', e.levels, db),
        row('Background, dB', bg.levels, db),
        row('Over background, dB', overBackground, signed),
        ...(c === null ? [] : [
          row('Criterion, dB', c.levelsDb, db),
          row('Over the criterion, dB', e.levels.map((v, k) => diff(v, c.levelsDb[k]!)), signed),
        ]),
      ],
    );
    doc.y += AFTER;
  }
}
