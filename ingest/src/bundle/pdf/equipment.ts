/**
 * Section 2: each monitor deployed — the instrument, microphone, calibrator and
 * position recorded at installation; the calibration from the monitor's own
 * signed records, what it measured with over each part of the period and any
 * change or mismatch; drift; the uncertainty budget; clock sync, coverage and gaps.
 */
import { londonMinute } from '../london-clock.ts';
import type { CalibrationCheck, Deployment, Equipment } from '../model.ts';
import { COLOUR, CONTENT_WIDTH, type Doc, FONT, MARGIN, SIZE, type SectionContext, db, duration, ensureSpace, keyValues, nothingToShow, paragraph, printable, subheading } from './layout.ts';
import { drawTable } from './table.ts';

/** Without a full stop: the rows go on after it ("Not stated at installation; datasheet tolerance …"). */
const NOT_STATED = 'Not stated at installation';
const or = (parts: readonly (string | null)[], separator = ' '): string => {
  const given = parts.filter((p): p is string => p !== null);
  return given.length === 0 ? NOT_STATED : given.join(separator);
};

function calibration(c: CalibrationCheck | null, ctx: SectionContext): string {
  if (c === null) return 'No calibration record from the monitor.';
  const before = c.previousFullScaleDb === undefined ? '' : ` at the calibration then in force (${c.previousFullScaleDb.toFixed(2)} dB)`;
  const tone = c.tone === undefined ? '' : ` Tone ${c.tone.frequencyHz.toFixed(0)} Hz, steady within ${c.tone.spreadDb.toFixed(2)} dB over ${c.tone.seconds} s.`;
  const cal = c.calibrator === undefined ? '' : ` Calibrator: ${c.calibrator}.`;
  const leaf = c.leafIndex == null ? '' : ` Signed by the monitor; evidence-log entry ${c.leafIndex}.`;
  return `${londonMinute(c.at, ctx.clock)}: the ${db(c.referenceDb)} dB calibrator read ${c.readingDb.toFixed(2)} dB${before}; the monitor measured with a full-scale calibration of ${c.fullScaleDb.toFixed(2)} dB from then on.${tone}${cal}${leaf}`;
}

function clockSync(d: Deployment): string {
  const s = d.clockSync;
  const worst = s.maxOffsetMs === null ? '' : ` Largest offset seen: ${(s.maxOffsetMs / 1000).toFixed(3)} s.`;
  if (s.status === 'ok') return `Synchronised throughout.${worst}`;
  if (s.status === 'unknown') return 'Unknown: the monitor reported no clock status in this period.';
  return `Not known to be right to within 2 s for ${duration(s.unsyncedSeconds)} (unsynchronised, not checked, or off by more than 2 s); events in that time are marked in the data.${worst}`;
}

function instrument(e: Equipment): (readonly [string, string])[] {
  const m = e.microphone;
  const c = e.calibrator;
  const p = e.position;
  const metres = (x: number | null, what: string): string | null => (x === null ? null : `${x.toFixed(2)} m ${what}`);
  return [
    ['Monitor', or([e.monitor.model, e.monitor.serial === null ? null : `serial ${e.monitor.serial}`])],
    ['Software', `${e.monitor.software}. Measured conformance of its measurement engine (its own test suite): ${e.monitor.conformance}`],
    ['Microphone', `${or([m.make, m.model])}${m.class === null ? '' : `; class ${m.class}`}${m.toleranceDb === null ? '; datasheet tolerance not stated' : `; datasheet tolerance ±${m.toleranceDb.toFixed(1)} dB`}.`],
    ['Calibrator', `${or([c.make, c.model, c.serial === null ? null : `serial ${c.serial}`])}${c.class === null ? '' : `; IEC 60942 class ${c.class}`}; certificate ${c.certificate ?? 'not stated'}; last laboratory calibration ${c.labCalibratedOn ?? 'not stated'}.`],
    ['Position', `${or([p.room, metres(p.heightM, 'above the floor'), metres(p.partyWallM, 'from the party wall'), p.windows === null ? null : `windows ${p.windows}`, p.note?.replace(/\.$/, '') ?? null], '; ')}.`],
  ];
}

function renderUncertainty(ctx: SectionContext, e: Equipment): void {
  const u = e.uncertainty;
  paragraph(
    ctx.doc,
    `Measurement uncertainty (GUM, JCGM 100:2008): each component's tolerance a is taken as a rectangular distribution, standard uncertainty a/√3; the combined standard uncertainty is their root sum of squares, ${u.combinedDb.toFixed(2)} dB; the expanded uncertainty with coverage factor k = ${u.coverageFactor} (about 95 % confidence) is ±${u.expandedDb.toFixed(1)} dB on each level stated.`,
  );
  drawTable(
    ctx.doc,
    [
      { header: 'Component', width: 3 },
      { header: 'Tolerance', width: 1.4, align: 'right' },
      { header: 'Standard', width: 1.4, align: 'right' },
      { header: 'Source', width: 6 },
    ],
    u.components.map((c) => [c.name, `±${c.halfWidthDb.toFixed(2)} dB`, `${c.standardDb.toFixed(2)} dB`, c.source]),
  );
}

/** The table's header and first row at SIZE.small, with their padding (table.ts), pt. */
const TABLE_START = 2 * (SIZE.small * 1.2 + 5) + 4;

/** What the gap table is, kept on one page with the table's header and first row. */
function gapCaption(doc: Doc, deviceId: string, gaps: number): void {
  const text = printable(`Gaps in the measurements of monitor ${deviceId}: the ${gaps === 1 ? 'time' : `${gaps} times`} in the period when it recorded no levels (no data, not silence), from and to (UK time) and for how long.`);
  doc.moveDown(0.3);
  doc.font(FONT.bold).fontSize(SIZE.body);
  ensureSpace(doc, doc.heightOfString(text, { width: CONTENT_WIDTH }) + 3 + TABLE_START);
  doc.fillColor(COLOUR.text).text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.25);
}

function renderDeployment(ctx: SectionContext, d: Deployment, n: number): void {
  const { doc } = ctx;
  subheading(doc, `Monitor ${n}: ${d.deviceId}`);
  const cov = d.coverage;
  const pct = cov.periodSeconds > 0 ? ` (${((100 * cov.monitoredSeconds) / cov.periodSeconds).toFixed(1)} %)` : '';
  const drift = d.calibration.driftDb === null
    ? "Not available (needs the monitor's calibration records at installation and at removal)."
    : `${d.calibration.driftDb >= 0 ? '+' : ''}${d.calibration.driftDb.toFixed(2)} dB: the change in what the monitor read of the calibrator between installation and removal, at one calibration.`;
  keyValues(doc, [
    ['Device', d.deviceId],
    ...(d.equipment === undefined ? [] : instrument(d.equipment)),
    ['Input', d.microphone],
    ['Installed', `${londonMinute(d.installedAt, ctx.clock)} by ${d.installedBy}`],
    ['Removed', d.removedAt === null ? 'Still in place at the end of the period.' : `${londonMinute(d.removedAt, ctx.clock)}${d.removedBy == null ? '' : ` by ${d.removedBy}`}`],
    ['Calibration at install', calibration(d.calibration.atInstall, ctx)],
    ['Calibration at removal', d.removedAt === null ? 'Not yet (still in place).' : calibration(d.calibration.atRemoval, ctx)],
    ...(d.calibration.during ?? []).map((c) => ['Recalibrated', calibration(c, ctx)] as const),
    ['Calibration drift', drift],
    ...(d.calibration.installerNotes ?? []).map((t) => ["Installer's note", t] as const),
    ['Clock', clockSync(d)],
    ['Coverage', `${duration(cov.monitoredSeconds)} monitored of ${duration(cov.periodSeconds)}${pct}; ${cov.gaps.length} gap${cov.gaps.length === 1 ? '' : 's'}.`],
  ]);
  if (d.fullScale !== undefined && d.fullScale.length > 0) {
    paragraph(doc, 'The calibration the monitor measured with (its full-scale level: the level a full-scale sine wave reads), as its own level records and heartbeats state it:');
    drawTable(
      doc,
      [
        { header: 'From', width: 3 },
        { header: 'To', width: 3 },
        { header: 'Full scale', width: 2, align: 'right' },
        { header: 'Stated in', width: 2 },
      ],
      d.fullScale.map((p) => [londonMinute(p.from, ctx.clock), londonMinute(p.to, ctx.clock), `${p.fullScaleDb.toFixed(2)} dB`, p.source === 'levels' ? 'level records' : 'heartbeats']),
    );
  }
  const flags = d.calibrationFlags ?? [];
  if (flags.length > 0) {
    subheading(doc, 'Calibration: changes and mismatches');
    for (const f of flags) paragraph(doc, `• ${f}`);
  } else if (d.fullScale !== undefined) {
    paragraph(doc, 'The calibration did not change during the deployment, and every level record and heartbeat states the calibration of the monitor\'s record in force.', { muted: true });
  }
  if (d.equipment !== undefined) renderUncertainty(ctx, d.equipment);
  if (cov.gaps.length > 0) {
    gapCaption(doc, d.deviceId, cov.gaps.length);
    drawTable(
      doc,
      [
        { header: 'Gap from', width: 3 },
        { header: 'Gap to', width: 3 },
        { header: 'Length', width: 2, align: 'right' },
      ],
      cov.gaps.map((g) => [londonMinute(g.from, ctx.clock), londonMinute(g.to, ctx.clock), duration((Date.parse(g.to) - Date.parse(g.from)) / 1000)]),
    );
  }
}

export function renderEquipment(ctx: SectionContext): void {
  const { doc, model } = ctx;
  if (model.deployments.length === 0) {
    nothingToShow(doc, 'No monitor was deployed for this case in this period, so there are no measurements in this period.');
    return;
  }
  paragraph(
    doc,
    'Each monitor measures sound as a sound level meter does (IEC 61672-1 frequency and time weightings) and is checked with an acoustic calibrator (94.0 dB at 1 kHz) when installed and when removed. Each check is made and signed by the monitor itself and entered in the evidence log; the figures below are the monitor\'s, not typed in. The difference between the two checks is the drift: the measurements are only as accurate as that difference allows.',
  );
  model.deployments.forEach((d, i) => renderDeployment(ctx, d, i + 1));
}
