/**
 * The signed calibration record (shared CalibrationRecord, issue 10): what a
 * calibrator check measured and the fullScaleDb the monitor measures with from
 * then on. `earshot-device calibrate` makes it; the running daemon signs and
 * sends it like any other event (daemon/calibration-sync.ts), so the ingest
 * and the court bundle take the calibration from the monitor, never from
 * numbers typed at the server.
 */
import { type CalibrationRecord, round2 } from '@earshot/shared';
import type { CalibrationResult } from './calibrate.ts';

export interface Calibrator {
  make?: string;
  model?: string;
  serial?: string;
}

/** Event ids are unique per device: "<device>-<epoch ms>-calibration". */
export function calibrationEventId(deviceId: string, atMs: number): string {
  return `${deviceId}-${Math.round(atMs)}-calibration`;
}

export function calibrationRecord(deviceId: string, atMs: number, r: CalibrationResult, calibrator: Calibrator = {}): CalibrationRecord {
  const named = Object.fromEntries(Object.entries(calibrator).filter(([, v]) => typeof v === 'string' && v.length > 0)) as Calibrator;
  // fullScaleDb is kept to 0.0001 dB so that the levels' fullScaleDb (0.01 dB) compares with it; the rest to 0.01 dB.
  const fine = (x: number): number => Math.round(x * 10_000) / 10_000 + 0;
  // `+ 0` turns −0 into 0, which JSON would otherwise write as 0 and read back unequal.
  const r2 = (x: number): number => round2(x)! + 0;
  return {
    kind: 'calibration',
    eventId: calibrationEventId(deviceId, atMs),
    at: new Date(Math.round(atMs)).toISOString(),
    referenceDb: r.referenceDb,
    measuredDb: fine(r.measuredDb),
    previousFullScaleDb: fine(r.previousFullScaleDb),
    fullScaleDb: fine(r.fullScaleDb),
    tone: { frequencyHz: r2(r.frequencyHz), spreadDb: r2(r.spreadDb), seconds: r.seconds, zMinusADb: r2(r.zMinusADb) },
    ...(Object.keys(named).length === 0 ? {} : { calibrator: named }),
  };
}
