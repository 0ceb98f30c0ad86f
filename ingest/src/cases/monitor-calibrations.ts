/**
 * The monitor's own calibrator checks (issue 10): the signed calibration
 * records `earshot-device calibrate` makes and the daemon sends, as the
 * pipeline stored them (events table, kind 'calibration'; each also a
 * `calibration-check` leaf). A deployment's calibration comes from these, never
 * from numbers typed at the server:
 * - at install: the latest check at or before installation (the calibration the
 *   monitor measured with when it went in);
 * - at removal: the check nearest the removal time within REMOVAL_WINDOW_MS
 *   either side (README: calibrate, then `deploy end`; or the other way round),
 *   later than the install check;
 * - during: every other check between installation and removal (a recalibration
 *   mid-deployment), which the bundle flags.
 * Drift is the change in what the monitor read of the calibrator, at one and
 * the same calibration: (measured − previousFullScaleDb) at removal minus the
 * same at install. When the install check set the calibration used until
 * removal this is the removal reading minus the calibrator level.
 */
import { CalibrationRecord } from '@earshot/shared';
import type { Database } from 'better-sqlite3';
import { readNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, hasTable } from '../storage/record/steps.ts';

/** A removal check may come up to a day either side of the `deploy end` time. */
export const REMOVAL_WINDOW_MS = 24 * 3_600_000;

export interface MonitorCalibration {
  readonly eventId: string;
  readonly at: string;
  readonly atMs: number;
  readonly referenceDb: number;
  /** LAeq of the calibrator tone at the calibration in force before the check. */
  readonly measuredDb: number;
  readonly previousFullScaleDb: number;
  /** The calibration the monitor measures with from `at` on. */
  readonly fullScaleDb: number;
  readonly tone: CalibrationRecord['tone'];
  readonly calibrator: CalibrationRecord['calibrator'] | null;
  /** Its evidence-log leaf and the case it was attached to (null when made outside any deployment). */
  readonly leafIndex: number | null;
  readonly caseRef: string | null;
}

export interface DeploymentCalibration {
  readonly atInstall: MonitorCalibration | null;
  readonly atRemoval: MonitorCalibration | null;
  readonly during: readonly MonitorCalibration[];
  /** dB, rounded to 0.01; null unless both checks exist. */
  readonly driftDb: number | null;
}

interface Row {
  body: string;
  leaf_index: number | null;
  case_ref: string | null;
}

/** Every calibration record of a device, oldest first, one per event id (a record sent twice is one check). */
export function* monitorCalibrationsSteps(deviceId: string): Steps<MonitorCalibration[]> {
  // The cases area on its own (without the device store) has no device records to read.
  if (!(yield* hasTable('events'))) return [];
  const rows = yield* all<Row>("SELECT body, leaf_index, case_ref FROM events WHERE device = ? AND kind = 'calibration' ORDER BY device_time, seq", deviceId);
  const seen = new Set<string>();
  const out: MonitorCalibration[] = [];
  for (const r of rows) {
    const parsed = CalibrationRecord.safeParse(JSON.parse(r.body));
    if (!parsed.success || seen.has(parsed.data.eventId)) continue;
    const b = parsed.data;
    seen.add(b.eventId);
    out.push({
      eventId: b.eventId, at: b.at, atMs: Date.parse(b.at), referenceDb: b.referenceDb, measuredDb: b.measuredDb,
      previousFullScaleDb: b.previousFullScaleDb, fullScaleDb: b.fullScaleDb, tone: b.tone, calibrator: b.calibrator ?? null,
      leafIndex: r.leaf_index, caseRef: r.case_ref,
    });
  }
  return out;
}

export function monitorCalibrations(db: Database, deviceId: string): MonitorCalibration[] {
  return readNow(db, monitorCalibrationsSteps(deviceId));
}

const round2 = (x: number): number => Math.round(x * 100) / 100 + 0;

/** The tone's level in dB relative to full scale: what the microphone delivered, whatever the calibration. */
const sensitivity = (c: MonitorCalibration): number => c.measuredDb - c.previousFullScaleDb;

export function deploymentCalibration(all: readonly MonitorCalibration[], installedMs: number, removedMs: number | null): DeploymentCalibration {
  let atInstall: MonitorCalibration | null = null;
  for (const c of all) if (c.atMs <= installedMs) atInstall = c;
  let atRemoval: MonitorCalibration | null = null;
  if (removedMs !== null) {
    for (const c of all) {
      if (c === atInstall || (atInstall !== null && c.atMs <= atInstall.atMs) || c.atMs <= installedMs) continue;
      if (Math.abs(c.atMs - removedMs) > REMOVAL_WINDOW_MS) continue;
      if (atRemoval === null || Math.abs(c.atMs - removedMs) < Math.abs(atRemoval.atMs - removedMs)) atRemoval = c;
    }
  }
  const end = removedMs ?? Infinity;
  const during = all.filter((c) => c !== atRemoval && c.atMs > installedMs && c.atMs < end);
  const driftDb = atInstall !== null && atRemoval !== null ? round2(sensitivity(atRemoval) - sensitivity(atInstall)) : null;
  return { atInstall, atRemoval, during, driftDb };
}
