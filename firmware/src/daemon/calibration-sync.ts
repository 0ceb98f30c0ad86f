/**
 * Calibration from the state folder into the running monitor (issue 10): at
 * start and at each heartbeat the daemon applies the calibration in force
 * (`earshot-device calibrate` may have run meanwhile) and hands every unsent
 * calibration record to the outbox, so it is signed, sent and receipted like
 * any event. A record's file is removed only once the outbox holds it; a crash
 * between the two sends it twice, with the same event id, which the ingest
 * reads as one check.
 */
import type { CalibrationRecord } from '@earshot/shared';
import { readCalibration, removeCalibrationRecord, unsentCalibrationRecords } from './state-files.ts';

export interface CalibrationTarget {
  readonly fullScaleDb: number;
  /** Sends the level records batched so far (measured with the calibration before the change). */
  flushLevels(): void;
  setFullScaleDb(db: number): void;
}

export interface CalibrationSyncResult {
  /** The new fullScaleDb when it changed, else null. */
  applied: number | null;
  /** Event ids of the records handed to the outbox. */
  sent: string[];
}

/**
 * `enqueue` must make the record durable (the outbox journal) before returning,
 * or throw; a record it refused stays unsent for the next heartbeat.
 */
export function syncCalibration(stateDir: string, monitor: CalibrationTarget, enqueue: (record: CalibrationRecord) => void): CalibrationSyncResult {
  let applied: number | null = null;
  const inForce = readCalibration(stateDir)?.fullScaleDb;
  if (inForce !== undefined && inForce !== monitor.fullScaleDb) {
    monitor.flushLevels();
    monitor.setFullScaleDb(inForce);
    applied = inForce;
  }
  const sent: string[] = [];
  for (const record of unsentCalibrationRecords(stateDir)) {
    enqueue(record);
    removeCalibrationRecord(stateDir, record.eventId);
    sent.push(record.eventId);
  }
  return { applied, sent };
}
