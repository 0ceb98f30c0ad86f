/** Section 3: what the figures mean, in plain English, and which rules were watching. */
import { type SectionContext, keyValues, nothingToShow, paragraph, subheading } from './layout.ts';

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
  ['Permitted level', 'Under the Noise Act 1996 (night hours 23:00–07:00) the permitted level, measured inside the complainant\'s home, is 34 dB LAeq over 5 minutes where the underlying level is 24 dB or less, and 10 dB above the underlying level where it is higher. The "exceedance" column shows by how much the measured level was above it.'],
];

export function renderMethod(ctx: SectionContext): void {
  const { doc, model } = ctx;
  paragraph(
    doc,
    'The monitor listens continuously and records a set of sound levels every second. It does not record audio all the time: it keeps a short audio clip only when one of the rules below is triggered, or when the resident presses the incident button. Each second\'s levels, each event and each clip is sent to the landlord\'s server and entered in a tamper-evident log (section 8).',
  );
  subheading(doc, 'What the figures mean');
  keyValues(doc, DEFINITIONS, 110);
  subheading(doc, 'Rules active in this period');
  if (model.rules.length === 0) {
    nothingToShow(doc, 'No automatic rules were active; clips come only from the incident button.');
    return;
  }
  keyValues(
    doc,
    model.rules.map((r) => [r.name, `${r.description}${r.thresholdDb === null ? '' : ` (line at ${r.thresholdDb.toFixed(1)} dB on the charts)`}`] as const),
    110,
  );
}
