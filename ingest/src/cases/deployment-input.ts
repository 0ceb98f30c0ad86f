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

export const CalibrationInput = z.object({
  /** What the device read of the calibrator tone (dB). */
  readingDb: z.number().min(0).max(200),
  /** The device's calibration at the time (DESIGN §2). */
  fullScaleDb: z.number().min(0).max(250),
  /** The calibrator's nominal level; 94.0 dB unless the calibrator says otherwise. */
  calibratorDb: z.number().min(0).max(200).default(CALIBRATOR_DB),
});
export type CalibrationInput = z.input<typeof CalibrationInput>;

export const StartDeploymentInput = z.object({
  caseRef: CaseRef,
  deviceId: z.string().regex(DEVICE_ID_PATTERN, 'a device id: a-z 0-9 - (3–64)'),
  installedAt: Instant.optional(),
  installedBy: PersonName,
  audioMode: AudioMode.default('on-event'),
  calibration: CalibrationInput,
});
export type StartDeploymentInput = z.input<typeof StartDeploymentInput>;

export const EndDeploymentInput = z.object({
  deploymentId: z.number().int().positive(),
  removedAt: Instant.optional(),
  removedBy: PersonName,
  calibration: CalibrationInput,
});
export type EndDeploymentInput = z.input<typeof EndDeploymentInput>;
