/**
 * The nights summary, first of the sections (issue 10, for the judge): one row
 * per night (23:00–07:00 UK time, Noise Act 1996 s.2(6)) and monitor — hours
 * monitored, events per rule, Noise Act exceedances and the worst 5-minute LAeq
 * against the permitted level, the highest LAFmax, events above the WHO night
 * guideline of 45 dB LAFmax, diary entries — and how each figure was worked out.
 * The same rows are data/nights.csv.
 */
import type { NightSummary } from '../model.ts';
import { type SectionContext, db, duration, nothingToShow, paragraph, subheading } from './layout.ts';
import { drawTable } from './table.ts';

function nightName(n: NightSummary): string {
  const day = new Date(`${n.nightOf}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const hours = Math.round((Date.parse(n.end) - Date.parse(n.start)) / 3_600_000);
  // The nights the clocks change (Summer Time Order 2002) are 7 or 9 hours long.
  return hours === 8 ? day : `${day} (${hours} h: clocks ${hours === 7 ? 'went forward' : 'went back'})`;
}

function overBy(v: number | null): string {
  if (v === null) return '';
  return v > 0 ? `${v.toFixed(1)} dB over` : v === 0 ? 'at the level' : `${(-v).toFixed(1)} dB below`;
}

export function renderNightsSummary({ doc, model }: SectionContext): void {
  const nights = model.nights;
  if (nights.length === 0) {
    nothingToShow(doc, 'The period covers no night hours (23:00 to 07:00 UK time).');
    return;
  }
  const ruleName = new Map(model.rules.map((r) => [r.id, r.name]));
  const several = new Set(nights.map((n) => n.deviceId)).size > 1;
  paragraph(doc, 'Each night runs from 23:00 to 07:00 UK time (night hours, Noise Act 1996 s.2(6)) and is named by the date it starts. One row per night' + (several ? ' and monitor.' : '.'));
  const rows = nights.map((n) => {
    const perRule = Object.entries(n.eventsByRule).map(([id, count]) => `${ruleName.get(id) ?? id}: ${count}`);
    if (n.incidents > 0) perRule.push(`Button presses: ${n.incidents}`);
    const worst = n.worstLAeq === null ? 'not assessed' : `${db(n.worstLAeq)} dB (${overBy(n.worstOverByDb)})`;
    return [
      nightName(n),
      ...(several ? [n.deviceId ?? 'none'] : []),
      n.deviceId === null ? 'No monitor deployed' : n.monitoredSeconds === 0 ? 'No level records (0 %)' : `${duration(n.monitoredSeconds)} (${n.coveragePct.toFixed(1)} %)`,
      perRule.length === 0 ? 'none' : perRule.join('\n'),
      n.periodsAssessed === 0 ? '–' : `${n.noiseActExceedances} of ${n.periodsAssessed}`,
      worst,
      n.LAFmaxMax === null ? '–' : `${db(n.LAFmaxMax)} dB`,
      String(n.eventsLAFmaxOver45),
      String(n.diaryEntries),
    ];
  });
  drawTable(
    doc,
    [
      { header: 'Night of', width: 16 },
      ...(several ? [{ header: 'Monitor', width: 9 }] : []),
      { header: 'Monitored', width: 12 },
      { header: 'Events by rule', width: 17 },
      { header: '5-min periods over the Noise Act level', width: 11, align: 'right' as const },
      { header: 'Worst LAeq,5min against the permitted level', width: 17, align: 'right' as const },
      { header: 'Highest LAFmax', width: 8, align: 'right' as const },
      { header: 'Events over 45 dB LAFmax', width: 8, align: 'right' as const },
      { header: 'Diary entries', width: 7, align: 'right' as const },
    ],
    rows,
  );
  const p = nights[0]!.noiseAct;
  const sameFigures = nights.every((n) => n.noiseAct.permittedLevelDb === p.permittedLevelDb && n.noiseAct.underlyingLimitDb === p.underlyingLimitDb && n.noiseAct.excessDb === p.excessDb);
  subheading(doc, 'How these figures were worked out');
  paragraph(doc, 'Monitored: the seconds of 1-second level records lying wholly inside the night (and the bundle period), for each monitor separately, and that time as a share of the night inside the period.');
  paragraph(
    doc,
    `Noise Act exceedances: the night is divided into consecutive 5-minute periods aligned to the clock (23:00–23:05, 23:05–23:10, … up to 07:00; 84 periods on the 7-hour night, 108 on the 9-hour night), because the Permitted Level of Noise (England) Directions 2008 measure the offending level as LAeq over 5 minutes; periods do not overlap, so each exceedance is a different 5 minutes of the night. A period is assessed only when the monitor recorded every second of it. Its LAeq is compared with the permitted level worked out from the underlying level of the same night: the level exceeded for 90 % of the time (from the 1-second LAeq values, to 0.1 dB) over the 30 minutes up to the end of the period, never reaching back before 23:00. ${sameFigures ? `The permitted level is ${p.permittedLevelDb} dB where the underlying level is ${p.underlyingLimitDb} dB or less, otherwise ${p.excessDb} dB above the underlying level` : 'The permitted level follows the figures of each monitor\'s rule (data/nights.csv gives them per row)'} (Noise Act 1996 ss.4–5 and the Directions). A period counts when its LAeq exceeds the permitted level, compared to 0.01 dB. Both the offending and the underlying level lie wholly inside night hours; the monitor's own Noise Act rule works the same way, over a sliding 5-minute window so that it can raise an event as soon as the level is exceeded.`,
  );
  paragraph(doc, 'Worst LAeq,5min: the highest 5-minute LAeq of the night\'s assessed periods, and the most by which any period exceeded its permitted level (or, when none did, how close the nearest came). Highest LAFmax: the highest fast-weighted maximum in any 1-second record of the night.');
  paragraph(doc, 'Events over 45 dB LAFmax: the night\'s events whose LAFmax was above 45 dB, the level the World Health Organization advises individual noise events should not exceed inside bedrooms at night (Guidelines for Community Noise, 1999; Night Noise Guidelines for Europe, 2009). The measurement position is given in the equipment section.');
  paragraph(doc, 'Events and diary entries are counted in the night they start. data/nights.csv holds these rows with the exact figures.', { muted: true });
}
