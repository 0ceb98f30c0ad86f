/** A calibration made while the daemon runs: applied live, its record handed to the outbox once, then gone from the state folder. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CalibrationRecord, EventBody } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { calibrate } from '../../src/calibrate/calibrate.ts';
import { calibrationRecord } from '../../src/calibrate/record.ts';
import { syncCalibration } from '../../src/daemon/calibration-sync.ts';
import { CALIBRATION_UNSENT_DIR, queueCalibrationRecord, recordCalibration } from '../../src/daemon/state-files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function toneAt(dbfs: number): Float64Array {
  const x = new Float64Array(6 * 48_000);
  const peak = 10 ** (dbfs / 20);
  for (let i = 0; i < x.length; i++) x[i] = peak * Math.sin((2 * Math.PI * 1000 * i) / 48_000);
  return x;
}

function calibrated(stateDir: string, atMs: number): CalibrationRecord {
  const r = calibrate({ samples: toneAt(-25.05), sampleRate: 48_000, fullScaleDb: 120 });
  const record = calibrationRecord('flat-12-monitor', atMs, r, { make: 'Cirrus', model: 'CR:515', serial: '12345' });
  queueCalibrationRecord(stateDir, record);
  recordCalibration(stateDir, { at: record.at, referenceDb: r.referenceDb, measuredDb: r.measuredDb, previousFullScaleDb: 120, fullScaleDb: record.fullScaleDb, frequencyHz: r.frequencyHz, eventId: record.eventId });
  return record;
}

function fakeMonitor(fullScaleDb: number): { fullScaleDb: number; flushed: number; flushLevels(): void; setFullScaleDb(db: number): void } {
  return {
    fullScaleDb,
    flushed: 0,
    flushLevels() {
      this.flushed++;
    },
    setFullScaleDb(db) {
      this.fullScaleDb = db;
    },
  };
}

describe('calibration sync', () => {
  it('makes a valid signed-event body with the tone statistics and the calibrator', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-calsync-'));
    dirs.push(dir);
    const record = calibrated(dir, Date.parse('2026-03-02T09:58:00.000Z'));
    expect(EventBody.safeParse(record).success).toBe(true);
    expect(record).toMatchObject({ kind: 'calibration', eventId: 'flat-12-monitor-1772445480000-calibration', at: '2026-03-02T09:58:00.000Z', referenceDb: 94, previousFullScaleDb: 120, calibrator: { make: 'Cirrus', model: 'CR:515', serial: '12345' } });
    expect(record.measuredDb).toBeCloseTo(94.95, 2);
    expect(record.fullScaleDb).toBeCloseTo(119.05, 2);
    expect(record.tone.frequencyHz).toBeCloseTo(1000, 0);
    expect(record.tone.seconds).toBe(5);
  });

  it('applies the new fullScaleDb live after flushing the levels measured before, and sends each record once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-calsync-'));
    dirs.push(dir);
    const record = calibrated(dir, Date.now());
    const monitor = fakeMonitor(120);
    const sent: CalibrationRecord[] = [];
    const first = syncCalibration(dir, monitor, (r) => void sent.push(r));
    expect(first).toEqual({ applied: record.fullScaleDb, sent: [record.eventId] });
    expect(monitor.fullScaleDb).toBe(record.fullScaleDb);
    expect(monitor.flushed).toBe(1);
    expect(sent).toEqual([record]);
    expect(readdirSync(join(dir, CALIBRATION_UNSENT_DIR))).toEqual([]);
    // The next heartbeat: nothing new.
    expect(syncCalibration(dir, monitor, (r) => void sent.push(r))).toEqual({ applied: null, sent: [] });
    expect(sent).toHaveLength(1);
  });

  it('keeps a record the outbox refused, for the next heartbeat', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-calsync-'));
    dirs.push(dir);
    const record = calibrated(dir, Date.now());
    const monitor = fakeMonitor(120);
    expect(() => syncCalibration(dir, monitor, () => {
      throw new Error('journal full');
    })).toThrow('journal full');
    const sent: string[] = [];
    expect(syncCalibration(dir, monitor, (r) => void sent.push(r.eventId)).sent).toEqual([record.eventId]);
  });
});
