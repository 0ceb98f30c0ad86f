/** zod at the boundary: a failed parse becomes an EarshotError naming every problem. */
import { EarshotError, type ErrorCode } from '@earshot/shared';
import type { z } from 'zod';

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code: ErrorCode): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new EarshotError(code, describeIssues(r.error));
  return r.data;
}
