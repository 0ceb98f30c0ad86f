/** What an officer gives when a monitor goes in or comes out (validated with zod). */
import { DEVICE_ID_PATTERN } from '@earshot/shared';
import { z } from 'zod';
import { PersonName } from './case-input.ts';
import { CaseRef } from './reference.ts';

/** DESIGN §2: the `calibrate` step uses a 94.0 dB / 1 kHz calibrator tone. */
export const CALIBRATOR_DB = 94.0;

/** Issue 3: per-deployment audio mode; `on-event` is the default. */
export const AudioMode = z.enum(['off', 'button-only', 'on-event']);
export type AudioMode = z.infer<typeof AudioMode>;

/** An instant with an explicit offset (Z or ±hh:mm), stored as UTC. */
export const Instant = z.iso.datetime({ offset: true });

/**
 * What the installer typed of a calibrator check: kept only as the installer's
 * note. The calibration the bundle states is the monitor's own signed record
 * (monitor-calibrations.ts), never these numbers.
 */
export const CalibrationInput = z.object({
  /** What the device read of the calibrator tone (dB). */
  readingDb: z.number().min(0).max(200),
  /** The device's calibration at the time (DESIGN §2). */
  fullScaleDb: z.number().min(0).max(250),
  /** The calibrator's nominal level; 94.0 dB unless the calibrator says otherwise. */
  calibratorDb: z.number().min(0).max(200).default(CALIBRATOR_DB),
});
export type CalibrationInput = z.input<typeof CalibrationInput>;

const Label = z.string().trim().min(1).max(120);
/** A date "YYYY-MM-DD" (the calibrator's last laboratory calibration). */
const DateOnly = z.iso.date();

/**
 * The deployment record a defence expert needs (issue 10): the instrument, its
 * microphone, the calibrator used, and where the monitor stood. Everything is
 * optional; what is not given reads "not stated" in the bundle.
 */
export const EquipmentInput = z.strictObject({
  monitorModel: Label.optional(),
  monitorSerial: Label.optional(),
  micMake: Label.optional(),
  micModel: Label.optional(),
  /** IEC 61672-1 class ("1", "2") or the datasheet's own grading. */
  micClass: z.string().trim().min(1).max(40).optional(),
  /** The datasheet's frequency-response tolerance over the working range, ± dB. */
  micToleranceDb: z.number().positive().max(20).optional(),
  calibratorMake: Label.optional(),
  calibratorModel: Label.optional(),
  calibratorSerial: Label.optional(),
  /** IEC 60942 class ("1", "2", "LS"). */
  calibratorClass: z.enum(['LS', '1', '2']).optional(),
  calibratorCertificate: Label.optional(),
  calibratorLabDate: DateOnly.optional(),
  room: Label.optional(),
  heightM: z.number().min(0).max(10).optional(),
  partyWallM: z.number().min(0).max(50).optional(),
  windows: z.enum(['open', 'closed', 'varied']).optional(),
  positionNote: z.string().trim().min(1).max(500).optional(),
});
export type EquipmentInput = z.infer<typeof EquipmentInput>;

export const StartDeploymentInput = z.object({
  caseRef: CaseRef,
  deviceId: z.string().regex(DEVICE_ID_PATTERN, 'a device id: a-z 0-9 - (3–64)'),
  installedAt: Instant.optional(),
  installedBy: PersonName,
  audioMode: AudioMode.default('on-event'),
  /** The installer's note of the check (optional); the calibration itself comes from the monitor. */
  calibration: CalibrationInput.optional(),
  equipment: EquipmentInput.optional(),
  /** Demonstration data, never evidence (cases/demonstration.ts): set only by the demo through `deploy start --demonstration`. */
  demonstration: z.literal(true).optional(),
});
export type StartDeploymentInput = z.input<typeof StartDeploymentInput>;

export const EndDeploymentInput = z.object({
  deploymentId: z.number().int().positive(),
  removedAt: Instant.optional(),
  removedBy: PersonName,
  calibration: CalibrationInput.optional(),
});
export type EndDeploymentInput = z.input<typeof EndDeploymentInput>;
