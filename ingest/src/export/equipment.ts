/**
 * Section 2 of the bundle: each deployment with the instrument, microphone,
 * calibrator, position and uncertainty budget recorded at installation; the
 * calibration from the monitor's own signed records (issue 10: never the typed
 * figures, which appear only as the installer's note); what the monitor
 * measured with over each part of the period, with any change or mismatch
 * flagged; clock sync and coverage.
 */
import { readFileSync } from 'node:fs';
import type { CalibrationCheck as TypedNote, Deployment as CaseDeployment } from '../cases/deployments.ts';
import type { MonitorCalibration } from '../cases/monitor-calibrations.ts';
import { monitorCalibrations } from '../cases/monitor-calibrations.ts';
import type { Db } from '../db/open.ts';
import { LondonClock, londonMinute } from '../bundle/london-clock.ts';
import type { CalibrationCheck, Deployment, Equipment } from '../bundle/model.ts';
import { type BlockReader, createBlockReader } from '../store/level-blocks/index.ts';
import { createClockSyncReader } from './clock-sync.ts';
import { createCoverageReader } from './coverage.ts';
import { createFullScaleReader } from './full-scale.ts';
import type { DeploymentSpan } from './spans.ts';
import { uncertaintyBudget } from './uncertainty.ts';

/** The software that made the records: this release of Earshot (monitor and ingest are released together). */
const SOFTWARE = `Earshot ${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
/** The figures the conformance suite asserts (README "Accuracy"), measured through the engine itself. */
export const CONFORMANCE =
  'A and C weighting at every 1/3-octave frequency 10 Hz – 20 kHz within IEC 61672-1:2013 class 1 at 8–96 kHz sampling, and within ±0.1 dB of the Annex E formula to 10 kHz (±0.5 dB to 16 kHz) at 48 kHz; tone-burst responses (Table 4) within ±0.2 dB; LCpeak of single cycles (Table 5) within class 1; level linearity within ±0.02 dB over 100 dB; recordings within 0.05 dB (LAeq) and 0.1 dB (LAFmax) of an independent frequency-domain reference.';

/** Plain words for the capture source a heartbeat names: its kind only, never a device path or file name. */
const INPUT_KINDS: Readonly<Record<string, string>> = {
  alsa: 'a microphone on the monitor\'s sound input (ALSA)',
  wav: 'a recording replayed from a WAV file (a demonstration or test, not a live microphone)',
  serial: 'a sound level meter connected by serial line',
  firmata: 'an analog sound-level module',
};

function createInputReader(db: Db): (span: DeploymentSpan) => string {
  const last = db.prepare<[string, number, number], { source: string | null; state: string | null }>(
    `SELECT json_extract(body, '$.capture.source') AS source, json_extract(body, '$.mic.state') AS state FROM status
     WHERE device = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at DESC, seq DESC LIMIT 1`,
  );
  return (span) => {
    const row = last.get(span.deviceId, span.from, Math.max(span.to, span.from + 1));
    if (row === undefined) return 'Not recorded (no heartbeat from the monitor in this period).';
    const kind = typeof row.source === 'string' ? (INPUT_KINDS[row.source.split(':')[0] ?? ''] ?? 'an input of a kind not recognised') : 'not reported';
    const state = row.state === 'ok' ? 'working normally' : typeof row.state === 'string' ? `reported as "${row.state}"` : 'not reported';
    return `Input: ${kind}; microphone ${state} at the monitor's last heartbeat in the period.`;
  };
}

function fromRecord(c: MonitorCalibration | null, by: string | null): CalibrationCheck | null {
  if (c === null) return null;
  const k = c.calibrator ?? {};
  const cal = [k.make, k.model, k.serial === undefined ? undefined : `serial ${k.serial}`].filter((x): x is string => x !== undefined);
  return {
    at: c.at, referenceDb: c.referenceDb, readingDb: c.measuredDb, fullScaleDb: c.fullScaleDb, previousFullScaleDb: c.previousFullScaleDb,
    tone: { frequencyHz: c.tone.frequencyHz, spreadDb: c.tone.spreadDb, seconds: c.tone.seconds },
    ...(cal.length === 0 ? {} : { calibrator: cal.join(' ') }),
    leafIndex: c.leafIndex,
    ...(by === null ? {} : { by }),
  };
}

function typedNote(phase: string, n: TypedNote | null, clock: LondonClock): string[] {
  if (n === null) return [];
  return [`At ${phase} (${londonMinute(n.checkedAt, clock)}) the installer noted a calibrator reading of ${n.readingDb.toFixed(2)} dB and a full-scale setting of ${n.fullScaleDb.toFixed(2)} dB (a typed note, not the monitor's record).`];
}

function equipment(d: CaseDeployment): Equipment {
  const e = d.equipment ?? {};
  const n = <T>(v: T | undefined): T | null => v ?? null;
  return {
    monitor: { model: n(e.monitorModel), serial: n(e.monitorSerial), software: SOFTWARE, conformance: CONFORMANCE },
    microphone: { make: n(e.micMake), model: n(e.micModel), class: n(e.micClass), toleranceDb: n(e.micToleranceDb) },
    calibrator: {
      make: n(e.calibratorMake), model: n(e.calibratorModel), serial: n(e.calibratorSerial), class: n(e.calibratorClass),
      certificate: n(e.calibratorCertificate), labCalibratedOn: n(e.calibratorLabDate),
    },
    position: { room: n(e.room), heightM: n(e.heightM), partyWallM: n(e.partyWallM), windows: n(e.windows), note: n(e.positionNote) },
    uncertainty: uncertaintyBudget({ calibratorClass: n(e.calibratorClass), micToleranceDb: n(e.micToleranceDb), micClass: n(e.micClass), driftDb: d.driftDb }),
  };
}

/** The deployments as the bundle shows them, how many level records their spans hold, and the calibration leaves they cite. */
export function bundleDeployments(
  db: Db, spans: readonly DeploymentSpan[], blocks: BlockReader = createBlockReader(db),
): { deployments: Deployment[]; levelCount: number; calibrationLeaves: { leafIndex: number; caseRef: string | null }[] } {
  const coverage = createCoverageReader(db, blocks);
  const clock = createClockSyncReader(db);
  const input = createInputReader(db);
  const fullScale = createFullScaleReader(db, blocks);
  const london = new LondonClock();
  const when = (t: string): string => londonMinute(t, london);
  const records = new Map<string, MonitorCalibration[]>();
  const calibrationLeaves: { leafIndex: number; caseRef: string | null }[] = [];
  let levelCount = 0;
  const deployments = spans.map((s): Deployment => {
    const d = s.deployment;
    const sync = clock(s);
    const cov = coverage(s);
    levelCount += cov.records;
    let all = records.get(d.deviceId);
    if (all === undefined) records.set(d.deviceId, (all = monitorCalibrations(db, d.deviceId)));
    const cal = d.calibration;
    for (const c of [cal.atInstall, cal.atRemoval, ...cal.during]) if (c !== null && c.leafIndex !== null) calibrationLeaves.push({ leafIndex: c.leafIndex, caseRef: c.caseRef });
    const fs = fullScale(s, all, when);
    const flags = [...fs.flags];
    if (cal.atInstall === null) flags.unshift('The monitor sent no calibration record made before its installation: its levels rest on an unchecked calibration.');
    for (const c of cal.during) if (!fs.flags.some((f) => f.includes(when(c.at)))) flags.push(`The monitor was recalibrated during the deployment (${when(c.at)}): ${c.previousFullScaleDb.toFixed(2)} → ${c.fullScaleDb.toFixed(2)} dB.`);
    return {
      deviceId: d.deviceId,
      microphone: input(s),
      installedAt: d.installedAt,
      removedAt: d.removedAt,
      installedBy: d.installedBy,
      removedBy: d.removedBy,
      calibration: {
        atInstall: fromRecord(cal.atInstall, null),
        atRemoval: fromRecord(cal.atRemoval, null),
        driftDb: cal.driftDb,
        during: cal.during.map((c) => fromRecord(c, null)!),
        installerNotes: [...typedNote('installation', d.install, london), ...typedNote('removal', d.removal, london)],
      },
      fullScale: fs.periods,
      calibrationFlags: flags,
      equipment: equipment(d),
      clockSync: { status: sync.status, maxOffsetMs: sync.maxOffsetMs, unsyncedSeconds: sync.unsyncedSeconds },
      coverage: cov.coverage,
    };
  });
  return { deployments, levelCount, calibrationLeaves };
}
