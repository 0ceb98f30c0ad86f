/** zod at the HTTP boundary: requests are parsed, responses checked before they are sent. */
import { EarshotError, describeIssues } from '@earshot/shared';
import type { z } from 'zod';

/** Parses a request part; a failure is EARSHOT_E_HTTP_BAD_REQUEST naming the field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new EarshotError('EARSHOT_E_HTTP_BAD_REQUEST', `${part}: ${describeIssues(r.error)}`);
  return r.data;
}

/** Checks a response against its schema: a mismatch is a bug, answered as EARSHOT_E_INTERNAL. */
export function checkResponse<S extends z.ZodType>(schema: S, value: z.input<S>): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`response does not match its schema: ${describeIssues(r.error)}`);
  return r.data;
}
