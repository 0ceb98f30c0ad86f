/** Codes of audio input: WAV files, PCM formats, sample rates, channels. */
import type { ErrorSpec } from '../error-spec.ts';

export const audioErrors = {
  EARSHOT_E_WAV_NOT_RIFF: { message: 'not a WAV file: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_TRUNCATED: { message: 'truncated WAV file: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_UNSUPPORTED: { message: 'unsupported WAV encoding: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_BAD_FORMAT: { message: 'invalid WAV format chunk: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_NO_DATA: { message: 'WAV file holds no audio: %s', http: 400, exit: 2 },
  EARSHOT_E_CHANNEL_RANGE: { message: 'channel out of range: %s', http: 400, exit: 2 },
  EARSHOT_E_SAMPLE_RATE: { message: 'unsupported sample rate: %s', http: 400, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
