/** Codes of capture sources (ALSA, WAV replay, serial meters, Firmata boards), the button and LED, and audio clips. */
import type { ErrorSpec } from '../error-spec.ts';

export const captureErrors = {
} as const satisfies Record<string, ErrorSpec>;
