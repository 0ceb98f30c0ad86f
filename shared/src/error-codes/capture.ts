/** Codes of capture sources (ALSA, WAV replay, serial meters, Firmata boards), the button and LED (Firmata or the Pi's GPIO), and audio clips. */
import type { ErrorSpec } from '../error-spec.ts';

export const captureErrors = {
  EARSHOT_E_CAPTURE_FAILED: { message: 'audio capture failed: %s', http: 503, exit: 1 },
  EARSHOT_E_CAPTURE_FORMAT: { message: 'unsupported capture format: %s', http: 400, exit: 2 },
  EARSHOT_E_SERIAL_PORT: { message: 'serial sound level meter unavailable: %s', http: 503, exit: 1 },
  EARSHOT_E_SERIAL_LINE: { message: 'serial meter line not understood: %s', http: 400, exit: 2 },
  EARSHOT_E_FIRMATA_BOARD: { message: 'Firmata board unavailable: %s', http: 503, exit: 1 },
  EARSHOT_E_GPIO_TOOLS: { message: 'GPIO tools unavailable: %s', http: 503, exit: 1 },
  EARSHOT_E_GPIO_NOT_FOUND: { message: 'GPIO chip or line not found: %s', http: 503, exit: 1 },
  EARSHOT_E_GPIO_BUSY: { message: 'GPIO line busy: %s', http: 503, exit: 1 },
  EARSHOT_E_GPIO_FAILED: { message: 'GPIO button or LED failed: %s', http: 503, exit: 1 },
  EARSHOT_E_CLIP_WRITE: { message: 'cannot write audio clip: %s', http: 500, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
