/** How zod's issues read in one EARSHOT_E_* line. Its own module: the command line uses it without the envelope schemas. */
import type { z } from 'zod';

/** One readable line from zod issues: "path: problem; path: problem". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
