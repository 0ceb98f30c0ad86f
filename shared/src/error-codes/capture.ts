/** Codes of capture sources (ALSA, WAV replay, serial meters, Firmata boards), the button and LED, and audio clips. */
import type { ErrorSpec } from '../error-spec.ts';

export const captureErrors = {
  EARSHOT_E_CAPTURE_FAILED: { message: 'audio capture failed: %s', http: 503, exit: 1 },
  EARSHOT_E_CAPTURE_FORMAT: { message: 'unsupported capture format: %s', http: 400, exit: 2 },
  EARSHOT_E_SERIAL_PORT: { message: 'serial sound level meter unavailable: %s', http: 503, exit: 1 },
  EARSHOT_E_SERIAL_LINE: { message: 'serial meter line not understood: %s', http: 400, exit: 2 },
  EARSHOT_E_FIRMATA_BOARD: { message: 'Firmata board unavailable: %s', http: 503, exit: 1 },
  EARSHOT_E_CLIP_WRITE: { message: 'cannot write audio clip: %s', http: 500, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
