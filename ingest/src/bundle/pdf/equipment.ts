/** Section 2: each monitor deployed — device, microphone, who installed it, calibration and drift, clock sync, coverage and its gaps. */
import { londonMinute } from '../london-clock.ts';
import type { CalibrationCheck, Deployment } from '../model.ts';
import { type SectionContext, db, duration, keyValues, nothingToShow, paragraph, subheading } from './layout.ts';
import { drawTable } from './table.ts';

function calibration(c: CalibrationCheck | null, ctx: SectionContext): string {
  if (c === null) return 'Not recorded.';
  return `${londonMinute(c.at, ctx.clock)}: calibrator ${db(c.referenceDb)} dB read ${c.readingDb.toFixed(2)} dB (full-scale setting ${c.fullScaleDb.toFixed(2)} dB)${c.by === undefined ? '' : `, by ${c.by}`}`;
}

function clockSync(d: Deployment): string {
  const s = d.clockSync;
  const worst = s.maxOffsetMs === null ? '' : ` Largest offset seen: ${(s.maxOffsetMs / 1000).toFixed(3)} s.`;
  if (s.status === 'ok') return `Synchronised throughout.${worst}`;
  if (s.status === 'unknown') return 'Unknown: the monitor reported no clock status in this period.';
  return `Unsynchronised or off by more than 2 s for ${duration(s.unsyncedSeconds)}; events in that time are marked in the data.${worst}`;
}

function renderDeployment(ctx: SectionContext, d: Deployment, n: number): void {
  const { doc } = ctx;
  subheading(doc, `Monitor ${n}: ${d.deviceId}`);
  const cov = d.coverage;
  const pct = cov.periodSeconds > 0 ? ` (${((100 * cov.monitoredSeconds) / cov.periodSeconds).toFixed(1)} %)` : '';
  keyValues(doc, [
    ['Device', d.deviceId],
    ['Microphone', d.microphone],
    ['Installed', `${londonMinute(d.installedAt, ctx.clock)} by ${d.installedBy}`],
    ['Removed', d.removedAt === null ? 'Still in place at the end of the period.' : `${londonMinute(d.removedAt, ctx.clock)}${d.removedBy == null ? '' : ` by ${d.removedBy}`}`],
    ['Calibration at install', calibration(d.calibration.atInstall, ctx)],
    ['Calibration at removal', calibration(d.calibration.atRemoval, ctx)],
    ['Calibration drift', d.calibration.driftDb === null ? 'Not available (needs both checks).' : `${d.calibration.driftDb >= 0 ? '+' : ''}${d.calibration.driftDb.toFixed(2)} dB`],
    ['Clock', clockSync(d)],
    ['Coverage', `${duration(cov.monitoredSeconds)} monitored of ${duration(cov.periodSeconds)}${pct}; ${cov.gaps.length} gap${cov.gaps.length === 1 ? '' : 's'}.`],
  ]);
  if (cov.gaps.length > 0) {
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
    'Each monitor measures sound as a sound level meter does (IEC 61672-1 frequency and time weightings) and is checked with an acoustic calibrator (94.0 dB at 1 kHz) when installed and when removed. The difference between the two checks is the drift: the measurements are only as accurate as that difference allows.',
  );
  model.deployments.forEach((d, i) => renderDeployment(ctx, d, i + 1));
}
