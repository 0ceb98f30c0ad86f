/** Section 3: what the figures mean, in plain English, and which rules were watching. */
import { londonMinute } from '../london-clock.ts';
import type { Rule } from '../model.ts';
import { CONTENT_BOTTOM, type Doc, MARGIN, type SectionContext, keyValues, keyValuesFirstRow, nothingToShow, paragraph, subheading } from './layout.ts';
import { type Column, drawTable, measureRow } from './table.ts';

// Plain-English definitions. Sources: IEC 61672-1:2013 §3 (LAeq, LAFmax, time
// weighting F = 125 ms); BS 4142:2014+A1:2019 §3 (background level LA90);
// Noise Act 1996 s.2(6) (night hours 23:00–07:00) and s.5 with the Permitted
// Level of Noise (England) Directions 2008 (34 dB LAeq,5min, or 10 dB above an
// underlying level above 24 dB).
const DEFINITIONS: readonly (readonly [string, string])[] = [
  ['dB (decibel)', 'The scale sound levels are measured on. A rise of 10 dB sounds roughly twice as loud; 3 dB is the smallest change most people notice in everyday sound.'],
  ['"A" weighting', 'Adjusts the measurement to match human hearing, which is less sensitive to very low and very high pitches. Levels marked A (LAeq, LAFmax, LAF90) are A-weighted.'],
  ['LAeq', 'The "equivalent continuous" level: the steady level that would carry the same sound energy as the actual, fluctuating sound over the stated time. It is the usual measure of how much noise there was.'],
  ['LAFmax', 'The highest level reached, measured with the "Fast" response (one-eighth of a second), so short loud sounds such as bangs, shouts or slammed doors show clearly.'],
  ['LAF90', 'The level exceeded 90 % of the time: the quieter, underlying "background" sound of the place when the noise complained of stops.'],
  ['LA90 (diary section)', 'The same idea measured from the one-second LAeq values the monitor sends rather than from its tenth-of-a-second readings, used where only those are kept (beside the diary entries). It reads close to, and usually slightly above, LAF90.'],
  ['Permitted level', 'Under the Noise Act 1996 (night hours 23:00–07:00) the permitted level, measured inside the complainant\'s home, is 34 dB LAeq over 5 minutes where the underlying level is 24 dB or less, and 10 dB above the underlying level where it is higher. The "Over" column of the schedule shows by how much the measured level was above it.'],
  // Issue 4: evidence is flagged when the device clock was unsynchronised or off by more than 2 s (store/status.ts).
  ['Clock flag', 'Marks an event or one-second record made while the monitor\'s clock was not known to be right to within 2 seconds (it had lost its time synchronisation, could not check it, was off by more than 2 s, could not say by how much, or had not yet reported). Its times may be out by more than 2 s; the levels themselves are unaffected. The flag is shown in the schedule and in the clock_flag column of data/events.csv and data/levels.csv; an empty clock_flag means the clock was synchronised to within 2 s.'],
];

export function renderMethod(ctx: SectionContext): void {
  const { doc, model } = ctx;
  paragraph(
    doc,
    'The monitor listens continuously and records a set of sound levels every second. It does not record audio all the time: it keeps a short audio clip only when one of the rules below is triggered, or when the resident presses the incident button. Each second\'s levels, each event and each clip is sent to the landlord\'s server and entered in a tamper-evident log (see the integrity statement).',
  );
  subheading(doc, 'What the figures mean', keyValuesFirstRow(doc, DEFINITIONS, 110));
  keyValues(doc, DEFINITIONS, 110);
  subheading(doc, 'Rules in force in this period');
  if (model.deployments.length === 0) {
    nothingToShow(doc, 'No monitor was deployed for this case in this period, so no rules were watching.');
  } else if (model.rules.length === 0) {
    nothingToShow(doc, 'No automatic rules were in force; clips come only from the incident button.');
  } else {
    paragraph(doc, 'Each rule as the landlord\'s server sent it to the monitor (each configuration is entered in the evidence log), with the times it was in force on each monitor, as the monitor itself reported running it.');
    keyValues(doc, model.rules.map((r) => [r.name, ruleText(r, ctx)] as const), 110);
  }
  renderReproduce(ctx);
}

function ruleText(r: Rule, ctx: SectionContext): string {
  const line = r.thresholdDb === null ? '' : ` (line at ${r.thresholdDb.toFixed(1)} dB on the charts while in force)`;
  const periods = (r.inForce ?? []).map((p) => `${p.deviceId} from ${londonMinute(p.from, ctx.clock)} to ${londonMinute(p.to, ctx.clock)}${p.confirmed ? '' : ' (sent; not confirmed by the monitor)'}`);
  const when = periods.length === 0 ? '' : ` In force: ${periods.join('; ')}.`;
  return `${r.description}${line}${when}${r.changed === undefined ? '' : ` CHANGED: ${r.changed}`}`;
}

/** How to reproduce every level from the audio exhibits: each exhibit's calibration and the command (DESIGN §3). */
function renderReproduce(ctx: SectionContext): void {
  const { doc, exhibits } = ctx;
  if (exhibits.length === 0) return;
  subheading(doc, 'Reproducing the levels from the audio exhibits');
  paragraph(
    doc,
    'Each audio exhibit is the monitor\'s recording as it was made. Its levels can be measured again, by anyone, with the same measurement engine the monitor runs: the Earshot command below prints the level of every second and a summary. Each exhibit must be analysed with the calibration (full-scale level) it was recorded with, given here.',
  );
  const rows = exhibits.map((e) => {
    const fs = e.clip.fullScaleDb;
    const file = e.file.split('/').at(-1)!;
    return [e.ref, fs === undefined ? 'not stated' : `${fs.toFixed(2)} dB`, `earshot-device analyze exhibits/${file}${fs === undefined ? '' : ` --full-scale-db ${fs.toFixed(2)}`}`];
  });
  // One table a page, each under its own header row, with at least MIN_ROWS rows under every header.
  for (const part of pageParts(doc, rows)) {
    if (doc.y + part.height > CONTENT_BOTTOM) {
      doc.addPage();
      doc.y = MARGIN.top;
    }
    drawTable(doc, COMMAND_COLUMNS, part.rows);
  }
}

const COMMAND_COLUMNS: readonly Column[] = [
  { header: 'Exhibit', width: 1.2 },
  { header: 'Full scale', width: 1.4, align: 'right' },
  { header: 'Command', width: 7, mono: true },
];

/** The fewest rows under a header: a header with one row at a page's foot, or one row alone under a repeated header, reads as a stray line. */
const MIN_ROWS = 2;
/**
 * The rows split into one part a page, from doc.y on: each part fits its page
 * under a header row; a part that would have fewer than MIN_ROWS rows under its
 * header at a page's foot starts the next page instead, and the last part takes
 * a row from the one before rather than stand alone.
 */
function pageParts(doc: Doc, rows: readonly string[][]): { rows: string[][]; height: number }[] {
  const header = measureRow(doc, COMMAND_COLUMNS, COMMAND_COLUMNS.map((c) => c.header), true);
  const heights = rows.map((r) => measureRow(doc, COMMAND_COLUMNS, r, false));
  const parts: { rows: string[][]; heights: number[] }[] = [];
  let y = doc.y;
  let i = 0;
  while (i < rows.length) {
    let n = 0;
    let h = header;
    while (i + n < rows.length && y + h + heights[i + n]! <= CONTENT_BOTTOM) h += heights[i + n++]!;
    // Too few rows fit at this page's foot (and more follow): start the part on the next page.
    if (n < Math.min(MIN_ROWS, rows.length - i) && y > MARGIN.top) {
      y = MARGIN.top;
      continue;
    }
    n = Math.max(n, 1);
    parts.push({ rows: rows.slice(i, i + n), heights: heights.slice(i, i + n) });
    i += n;
    y = MARGIN.top;
  }
  const last = parts.at(-1);
  const before = parts.at(-2);
  if (last !== undefined && before !== undefined && last.rows.length < MIN_ROWS && before.rows.length > MIN_ROWS) {
    last.rows.unshift(before.rows.pop()!);
    last.heights.unshift(before.heights.pop()!);
  }
  return parts.map((p) => ({ rows: p.rows, height: header + p.heights.reduce((s, h) => s + h, 0) }));
}
