/**
 * Errors as the API answers them: the registry's HTTP status and
 * `{ code, message }` (docs/errors.md). Anything that is not an EarshotError is
 * a bug: logged with its stack, answered as EARSHOT_E_INTERNAL without one.
 */
import { EarshotError, type ErrorCode, errors, formatError } from '@earshot/shared';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const ErrorBody = z.strictObject({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export function errorBody(code: ErrorCode, detail: string): { status: number; body: ErrorBody } {
  return { status: errors[code].http, body: { code, message: formatError(code, detail) } };
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  let out: { status: number; body: ErrorBody };
  if (error instanceof EarshotError) {
    out = errorBody(error.code, error.detail);
  } else if ('validation' in error && error.validation !== undefined) {
    out = errorBody('EARSHOT_E_HTTP_BAD_REQUEST', error.message);
  } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    // fastify's own 4xx (malformed JSON, body too large, unsupported media type).
    out = { status: error.statusCode, body: { code: 'EARSHOT_E_HTTP_BAD_REQUEST', message: formatError('EARSHOT_E_HTTP_BAD_REQUEST', error.message) } };
  } else {
    request.log.error({ err: error }, 'request failed');
    out = errorBody('EARSHOT_E_INTERNAL', 'the request failed; the server log has the details');
  }
  void reply.code(out.status).type('application/json; charset=utf-8').send(out.body);
}
