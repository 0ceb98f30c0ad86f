/** Book-keeping every source shares: its name, restart count and last error, as StatusBody.capture carries them. */
import { type ErrorCode, type ErrorInfo, formatError } from '@earshot/shared';
import type { CaptureHealth } from './types.ts';

/** StatusBody.capture: source ≤ 64 characters, lastError ≤ 500. */
const MAX_SOURCE_CHARS = 64;
const MAX_ERROR_CHARS = 500;

export class SourceHealth {
  restarts = 0;
  lastError: string | null = null;

  constructor(readonly source: string) {}

  /** Records an error and returns it as data. */
  error(code: ErrorCode, detail: string): ErrorInfo {
    const info: ErrorInfo = { code, detail };
    this.lastError = `${code}: ${formatError(code, detail)}`.slice(0, MAX_ERROR_CHARS);
    return info;
  }

  snapshot(): CaptureHealth {
    return { source: this.source.slice(0, MAX_SOURCE_CHARS), restarts: this.restarts, lastError: this.lastError };
  }
}
