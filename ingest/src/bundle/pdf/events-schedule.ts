/**
 * The schedule of events: every event in time order, one row each, grouped by
 * night (23:00–07:00 UK time, Noise Act 1996 s.2(6)) and daytime, with every
 * exhibit whose audio covers it, the device clock's flag where it had one, and
 * the monitors' own "no data" records as rows among them (issue 10).
 */
import { exhibitsCovering } from '../event-exhibits.ts';
import type { LondonClock } from '../london-clock.ts';
import type { BundleEvent, ClockFlag, DataGapRecord } from '../model.ts';
import { scheduleGroup } from '../schedule-groups.ts';
import { type SectionContext, db, duration, nothingToShow, paragraph, subheading } from './layout.ts';
import { type NoteRow, drawTable } from './table.ts';

/** How each clock flag reads (store/status.ts clockFlag; issue 4: evidence is flagged beyond 2 s). */
export const CLOCK_FLAG_TEXT: Readonly<Record<NonNullable<ClockFlag>, string>> = {
  unsynchronised: 'clock unsynchronised',
  'sync-unknown': 'clock synchronisation not checked',
  'offset-over-2s': 'clock off by more than 2 s',
  'offset-unknown': 'clock offset unknown',
  'no-heartbeat': 'clock not yet reported',
  // Issue 11 item 13 (pipeline/device-time.ts): such evidence is attached to no case by its time.
  'implausible-time': 'device time implausible',
};

const GAP_REASON: Readonly<Record<DataGapRecord['reason'], string>> = {
  'storage-full': 'monitor storage full',
  'write-error': 'monitor could not write its records',
};

export const INCIDENT_TEXT = 'Incident button pressed by the resident';

const CLOCK_LEGEND =
  'Clock flag: the monitor\'s clock was not known to be right to within 2 seconds when it recorded the event — it had lost its time synchronisation, could not check it, was off by more than 2 s, could not say its offset, or had not yet reported its clock. The event\'s times may then be out by more than 2 s; its levels are unaffected. Flagged events and 1 s records carry the flag in data/events.csv and data/levels.csv (clock_flag).';

function hm(ms: number, clock: LondonClock): string {
  return new Date(ms + clock.offsetMs(ms)).toISOString().slice(11, 16);
}

/** "No data: monitor storage full 00:10–00:40", with the dates when it runs a day or more. */
export function gapText(g: DataGapRecord, clock: LondonClock, withDevice: boolean): string {
  const from = Date.parse(g.from);
  const to = Date.parse(g.to);
  const local = (ms: number): string => new Date(ms + clock.offsetMs(ms)).toISOString().slice(0, 16).replace('T', ' ');
  const span = to - from >= 86_400_000 ? `${local(from)}–${local(to)}` : `${hm(from, clock)}–${hm(to, clock)}`;
  const what = g.what === 'levels' ? 'No data' : 'No audio kept';
  const device = withDevice ? ` on monitor ${g.deviceId}` : '';
  const after = g.what === 'levels' ? 'not counted as monitored time' : 'the levels were kept';
  return `${what}: ${GAP_REASON[g.reason]} ${span}${device} (the monitor's signed record; ${after}).`;
}

type Item = { readonly at: number; readonly event: BundleEvent } | { readonly at: number; readonly gap: DataGapRecord };

export function renderEventsSchedule(ctx: SectionContext): void {
  const { doc, model, exhibits, clock } = ctx;
  if (model.deployments.length === 0) {
    nothingToShow(doc, 'No monitor was deployed for this case in this period, so no events could be recorded.');
    return;
  }
  if (model.events.length === 0 && model.gaps.length === 0) {
    nothingToShow(doc, 'No events were recorded in this period.');
    return;
  }
  paragraph(
    doc,
    'Times are UK local time. Levels in dB(A). LAF90 is the background level before the event. "Permitted / limit" is the level the event was judged against (the Noise Act permitted level, or the rule\'s threshold); "Over" is by how much the event\'s level went above it (LAFmax for the impulsive rule, LCeq − LAeq for bass, otherwise LAeq over the event). Exhibits are every audio clip that covers the event\'s time.',
    { muted: true },
  );
  const rules = new Map(model.rules.map((r) => [r.id, r.name]));
  const refs = exhibitsCovering(model.events, exhibits);
  const manyDevices = new Set(model.deployments.map((d) => d.deviceId)).size > 1;
  const items: Item[] = [...model.events.map((event) => ({ at: Date.parse(event.start), event })), ...model.gaps.map((gap) => ({ at: Date.parse(gap.from), gap }))].sort((a, b) => a.at - b.at);
  const ongoing: string[] = [];
  let n = 0;

  const eventRow = (e: BundleEvent): string[] => {
    n++;
    const start = Date.parse(e.start);
    const local = new Date(start + clock.offsetMs(start)).toISOString();
    const end = Date.parse(e.end);
    const what = [e.kind === 'incident' ? INCIDENT_TEXT : (rules.get(e.ruleId) ?? 'Automatic rule (settings not on record)')];
    if (manyDevices) what.push(`monitor ${e.deviceId}`);
    if (e.clockFlag !== null) what.push(`(${CLOCK_FLAG_TEXT[e.clockFlag]})`);
    if (e.state === 'ongoing') ongoing.push(`No. ${n} was ongoing at the end of the period: its levels are those the monitor measured from its start until then (${duration(e.durationSeconds)}).`);
    return [
      String(n),
      local.slice(0, 10),
      local.slice(11, 19),
      e.state === 'ongoing' ? 'ongoing' : e.state === 'instant' ? '–' : new Date(end + clock.offsetMs(end)).toISOString().slice(11, 19),
      e.state === 'instant' ? 'instant' : e.state === 'ongoing' ? `${duration(e.durationSeconds)} so far` : duration(e.durationSeconds),
      db(e.LAeq),
      db(e.LAFmax),
      db(e.LAF90),
      db(e.thresholdDb),
      e.overByDb === null ? '–' : `${e.overByDb > 0 ? '+' : ''}${e.overByDb.toFixed(1)}`,
      what.join(' '),
      (refs.get(e) ?? []).join(', ') || '–',
    ];
  };

  const groups: { label: string; rows: (string[] | NoteRow)[] }[] = [];
  for (const item of items) {
    const g = scheduleGroup(item.at, clock);
    if (groups.at(-1)?.label !== g.label) groups.push({ label: g.label, rows: [] });
    groups.at(-1)!.rows.push('event' in item ? eventRow(item.event) : { note: gapText(item.gap, clock, manyDevices) });
  }
  for (const group of groups) {
    subheading(doc, group.label);
    drawTable(
      doc,
      [
        { header: 'No.', width: 20, align: 'right' },
        { header: 'Date', width: 48 },
        { header: 'Start', width: 38 },
        { header: 'End', width: 38 },
        { header: 'Duration', width: 46 },
        { header: 'LAeq', width: 30, align: 'right' },
        { header: 'LAFmax', width: 38, align: 'right' },
        { header: 'LAF90', width: 32, align: 'right' },
        { header: 'Permitted / limit', width: 44, align: 'right' },
        { header: 'Over', width: 30, align: 'right' },
        { header: 'What', width: 68 },
        { header: 'Exhibits', width: 40 },
      ],
      group.rows,
    );
  }
  for (const line of ongoing) paragraph(doc, line, { muted: true });
  paragraph(doc, CLOCK_LEGEND, { muted: true });
}
