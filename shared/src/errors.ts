/**
 * Every error a user can see, in one registry (as fastify's lib/errors.js).
 * A code is stable once published: tools and people match on it. Each code is
 * documented in docs/errors.md; a test checks the two agree.
 */

export interface ErrorSpec {
  /** Message shown to the user; `%s` is replaced by the detail. */
  readonly message: string;
  /** HTTP status when the error crosses the API. */
  readonly http: number;
  /** CLI exit code: 1 the thing checked failed, 2 bad usage or bad input (DESIGN §1). */
  readonly exit: 1 | 2;
}

export const errors = {
  EARSHOT_E_USAGE: { message: 'bad usage: %s', http: 400, exit: 2 },
  EARSHOT_E_FILE_UNREADABLE: { message: 'cannot read file: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_NOT_RIFF: { message: 'not a WAV file: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_TRUNCATED: { message: 'truncated WAV file: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_UNSUPPORTED: { message: 'unsupported WAV encoding: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_BAD_FORMAT: { message: 'invalid WAV format chunk: %s', http: 400, exit: 2 },
  EARSHOT_E_WAV_NO_DATA: { message: 'WAV file holds no audio: %s', http: 400, exit: 2 },
  EARSHOT_E_CHANNEL_RANGE: { message: 'channel out of range: %s', http: 400, exit: 2 },
  EARSHOT_E_SAMPLE_RATE: { message: 'unsupported sample rate: %s', http: 400, exit: 2 },
  EARSHOT_E_CONFIG_INVALID: { message: 'invalid configuration: %s', http: 400, exit: 2 },
  EARSHOT_E_RULE_UNKNOWN: { message: 'unknown nuisance rule type: %s', http: 400, exit: 2 },
  EARSHOT_E_JOURNAL_CORRUPT: { message: 'outbox journal damaged: %s', http: 500, exit: 1 },
  EARSHOT_E_JOURNAL_FULL: { message: 'outbox journal quota reached: %s', http: 507, exit: 1 },
  EARSHOT_E_TOPIC_INVALID: { message: 'not an Earshot topic: %s', http: 400, exit: 2 },
  EARSHOT_E_ENVELOPE_MALFORMED: { message: 'malformed signed envelope: %s', http: 400, exit: 2 },
  EARSHOT_E_SIGNATURE_INVALID: { message: 'signature does not verify: %s', http: 400, exit: 1 },
  EARSHOT_E_BODY_INVALID: { message: 'message body does not match its schema: %s', http: 400, exit: 2 },
  EARSHOT_E_DEVICE_MISMATCH: { message: 'message names another device: %s', http: 403, exit: 2 },
  EARSHOT_E_INTERNAL: { message: 'internal error: %s', http: 500, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errors;

/** An error as data: a stable code plus the detail that names the problem. */
export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly detail: string;
}

export class EarshotError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;

  constructor(code: ErrorCode, detail: string) {
    super(formatError(code, detail));
    this.name = 'EarshotError';
    this.code = code;
    this.detail = detail;
  }

  get spec(): ErrorSpec {
    return errors[this.code];
  }

  toJSON(): ErrorInfo & { message: string } {
    return { code: this.code, detail: this.detail, message: this.message };
  }
}

export function formatError(code: ErrorCode, detail: string): string {
  return errors[code].message.replace('%s', detail);
}

export function isEarshotError(e: unknown): e is EarshotError {
  return e instanceof EarshotError;
}
