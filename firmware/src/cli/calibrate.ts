/**
 * `earshot-device calibrate --config FILE [--seconds 6] [--wav FILE] [--reference 94.0] [--force]
 *    [--calibrator-make TEXT] [--calibrator-model TEXT] [--calibrator-serial TEXT]`
 *
 * With the 94.0 dB / 1 kHz calibrator fitted over the microphone: records a few
 * seconds from the configured capture source (or reads a WAV of the tone),
 * sets fullScaleDb so the tone reads the calibrator's level, keeps the history
 * in the state folder, and reports the drift from the last calibration. The
 * check is also kept as a calibration record, unsent: the running daemon signs
 * and sends it to the ingest at its next heartbeat (or when it next starts)
 * and measures with the new fullScaleDb from then on.
 */
import { DEFAULT_FULL_SCALE_DB, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { readWavChannel } from '../audio/index.ts';
import { CALIBRATOR_LEVEL_DB, calibrate } from '../calibrate/calibrate.ts';
import { calibrationRecord } from '../calibrate/record.ts';
import { createCaptureSource } from '../capture/create.ts';
import { loadDeviceConfig } from '../daemon/config.ts';
import { queueCalibrationRecord, readCalibration, recordCalibration } from '../daemon/state-files.ts';
import { captureFor } from './capture-for.ts';
import { CALIBRATE_USAGE } from './usage.ts';

const Name = z.string().trim().min(1).max(64, 'at most 64 characters').optional();

const CalibrateArgs = z.object({
  positionals: z.array(z.string()).max(0, 'no positional arguments'),
  config: z.string().min(1, `--config FILE is required: ${CALIBRATE_USAGE}`),
  seconds: z.coerce.number().min(4).max(60).default(6),
  wav: z.string().optional(),
  reference: z.coerce.number().min(60).max(140).default(CALIBRATOR_LEVEL_DB),
  force: z.boolean().default(false),
  'calibrator-make': Name,
  'calibrator-model': Name,
  'calibrator-serial': Name,
});

export async function calibrateCommand(args: readonly string[], out: (line: string) => void): Promise<number> {
  const a = parseCommand(args, {
    config: { type: 'string' }, seconds: { type: 'string' }, wav: { type: 'string' }, reference: { type: 'string' }, force: { type: 'boolean' },
    'calibrator-make': { type: 'string' }, 'calibrator-model': { type: 'string' }, 'calibrator-serial': { type: 'string' },
  }, CalibrateArgs);
  const { config, stateDir } = loadDeviceConfig(a.config);
  const before = readCalibration(stateDir)?.fullScaleDb ?? config.fullScaleDb ?? DEFAULT_FULL_SCALE_DB;
  const audio = a.wav !== undefined
    ? (({ format, samples }) => ({ samples, sampleRate: format.sampleRate }))(readWavChannel(a.wav))
    : await captureFor(await createCaptureSource(config.capture), a.seconds);
  const r = calibrate({ samples: audio.samples, sampleRate: audio.sampleRate, fullScaleDb: before, referenceDb: a.reference, force: a.force });
  const atMs = Date.now();
  const calibrator = {
    ...(a['calibrator-make'] === undefined ? {} : { make: a['calibrator-make'] }),
    ...(a['calibrator-model'] === undefined ? {} : { model: a['calibrator-model'] }),
    ...(a['calibrator-serial'] === undefined ? {} : { serial: a['calibrator-serial'] }),
  };
  const record = calibrationRecord(config.deviceId, atMs, r, calibrator);
  // The record first: a calibration in force must never lack the record that tells the ingest of it.
  queueCalibrationRecord(stateDir, record);
  const { driftDb } = recordCalibration(stateDir, {
    at: record.at, referenceDb: r.referenceDb, measuredDb: r.measuredDb,
    previousFullScaleDb: r.previousFullScaleDb, fullScaleDb: record.fullScaleDb, frequencyHz: r.frequencyHz, eventId: record.eventId,
  });
  const round = (x: number): number => Math.round(x * 100) / 100;
  out(JSON.stringify({
    referenceDb: r.referenceDb, measuredDb: round(r.measuredDb), fullScaleDb: round(r.fullScaleDb), previousFullScaleDb: round(r.previousFullScaleDb),
    adjustmentDb: round(r.adjustmentDb), driftFromLastCalibrationDb: driftDb === null ? null : round(driftDb), frequencyHz: Math.round(r.frequencyHz), spreadDb: round(r.spreadDb),
    recordId: record.eventId, sent: false,
  }));
  return 0;
}
