/** Codes of the monitor daemon's own commands: calibrate, provision, selftest, run. */
import type { ErrorSpec } from '../error-spec.ts';

export const daemonErrors = {
  EARSHOT_E_CALIBRATION_TONE: { message: 'no usable calibrator tone: %s', http: 400, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
