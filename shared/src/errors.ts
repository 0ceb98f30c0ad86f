/**
 * Every error a user can see, in one registry (as fastify's lib/errors.js).
 * A code is stable once published: tools and people match on it. Each code is
 * documented in docs/errors.md; a test checks the two agree. Each area keeps its
 * codes in its own file under error-codes/.
 */

import { audioErrors } from './error-codes/audio.ts';
import { commonErrors } from './error-codes/common.ts';
import { daemonErrors } from './error-codes/daemon.ts';
import { brokerErrors } from './error-codes/broker.ts';
import { captureErrors } from './error-codes/capture.ts';
import { casesErrors } from './error-codes/cases.ts';
import { evidenceErrors } from './error-codes/evidence.ts';
import { outboxErrors } from './error-codes/outbox.ts';
import { rulesErrors } from './error-codes/rules.ts';
import { messageErrors } from './error-codes/message.ts';
import { bundleErrors } from './error-codes/bundle.ts';
import { httpErrors } from './error-codes/http.ts';
import { residentErrors } from './error-codes/resident.ts';
import { processErrors } from './error-codes/process.ts';
import { demonstrationErrors } from './error-codes/demonstration.ts';
import { storeErrors } from './error-codes/store.ts';
import { receiptErrors } from './error-codes/receipt.ts';
import type { ErrorSpec } from './error-spec.ts';

export type { ErrorSpec } from './error-spec.ts';

/** The registry: one file of codes per area in error-codes/, merged here. */
export const errors = {
  ...commonErrors,
  ...audioErrors,
  ...messageErrors,
  ...rulesErrors,
  ...outboxErrors,
  ...captureErrors,
  ...daemonErrors,
  ...brokerErrors,
  ...evidenceErrors,
  ...casesErrors,
  ...bundleErrors,
  ...httpErrors,
  ...residentErrors,
  ...storeErrors,
  ...receiptErrors,
  ...processErrors,
  ...demonstrationErrors,
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
